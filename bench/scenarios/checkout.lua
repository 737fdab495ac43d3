-- Checkout: add a random in-stock SKU to the cart, check out (fresh Idempotency-Key), pay in the
-- sandbox; then the next member. Members come from tokens_checkout.txt, each thread its own
-- slice. Every step must succeed (add 200, checkout 201, pay 200): a 409 or 422 is an error here.
-- Needs one connection per wrk thread (bench/run passes -t N -c N): see bench/lua/flow.lua.
-- Loads bench/lua/ relative to this file, whatever the working directory.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "../lua/?.lua;" .. package.path
local bench = require("common")

local flow = require("flow")

flow.install({
  scenario = "checkout",
  tokens_file = "tokens_checkout.txt",
  load = function() skus = bench.read_lines("skus.txt") end,
  next_sku = function() return skus[math.random(1, #skus)] end,
  expected = {},
})
