-- Add to cart: POST /api/v1/cart/lines {"skuId":..,"quantity":1} as members taken round-robin
-- from this thread's slice of tokens_cart.txt (members no other scenario uses, so the carts
-- filled here never reach a checkout). Each member only ever adds the same 5 SKUs, so a cart
-- stays far below its 100-line limit (quantities add up and stop at 999 without an error).
-- Loads bench/lua/ relative to this file, whatever the working directory.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "../lua/?.lua;" .. package.path
local bench = require("common")

local LINES_PER_MEMBER = 5

function init(args)
  local id = bench.init_thread()
  tokens = bench.slice(bench.read_lines("tokens_cart.txt"), id, bench.thread_count())
  skus = bench.read_lines("skus.txt")
  base = {}
  for m = 1, #tokens do base[m] = math.random(0, #skus - 1) end
  n = math.random(0, #tokens - 1)
end

function request()
  n = n + 1
  local m = n % #tokens + 1
  local round = math.floor(n / #tokens) % LINES_PER_MEMBER
  local sku = skus[(base[m] + round * 7919) % #skus + 1]
  return wrk.format("POST", "/api/v1/cart/lines", {
    ["Authorization"] = "Bearer " .. tokens[m],
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
  }, '{"skuId":"' .. sku .. '","quantity":1}')
end

setup = bench.setup
done = bench.simple_done("add_to_cart")
