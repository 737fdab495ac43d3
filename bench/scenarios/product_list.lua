-- Product list by category: GET /api/v1/products?categoryId=<uuid>&per=20, categories taken
-- round-robin from a random start (each thread its own start).
-- Loads bench/lua/ relative to this file, whatever the working directory.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "../lua/?.lua;" .. package.path
local bench = require("common")

function init(args)
  bench.init_thread()
  categories = bench.read_lines("categories.txt")
  i = math.random(1, #categories)
end

function request()
  i = i % #categories + 1
  return wrk.format("GET", "/api/v1/products?categoryId=" .. categories[i] .. "&per=20", { ["Accept"] = "application/json" })
end

setup = bench.setup
done = bench.simple_done("product_list")
