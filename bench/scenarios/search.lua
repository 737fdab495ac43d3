-- Keyword search: GET /api/v1/products?q=<keyword>&per=20 with the fixture's keywords
-- (URL-encoded by bench/run), round-robin from a random start.
-- Loads bench/lua/ relative to this file, whatever the working directory.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "../lua/?.lua;" .. package.path
local bench = require("common")

function init(args)
  bench.init_thread()
  keywords = bench.read_lines("keywords.txt")
  i = math.random(1, #keywords)
end

function request()
  i = i % #keywords + 1
  return wrk.format("GET", "/api/v1/products?q=" .. keywords[i] .. "&per=20", { ["Accept"] = "application/json" })
end

setup = bench.setup
done = bench.simple_done("search")
