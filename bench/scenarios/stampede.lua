-- Stampede: every connection tries to buy the one stampede SKU (a limited stock at a single
-- warehouse): add it, check out, pay. Once it is sold out, checkouts answer 409: those are the
-- expected losers (as is 422 for an empty cart), counted as "rejected", not as errors; a loser
-- removes the line again. bench/run then runs "chainmall bench-check" on the database.
-- Needs one connection per wrk thread (bench/run passes -t N -c N): see bench/lua/flow.lua.
-- Loads bench/lua/ relative to this file, whatever the working directory.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "../lua/?.lua;" .. package.path
local bench = require("common")

local flow = require("flow")

flow.install({
  scenario = "stampede",
  tokens_file = "tokens_stampede.txt",
  load = function()
    stampede_sku, stampede_units = bench.read_first("stampede.txt"):match("^(%S+)%s*(%S*)")
  end,
  next_sku = function() return stampede_sku end,
  expected = { [409] = true, [422] = true },
  extra = function(extra)
    extra.units = tonumber(bench.read_first("stampede.txt"):match("^%S+%s+(%d+)"))
  end,
})
