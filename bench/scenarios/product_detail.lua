-- Product detail: GET /api/v1/products/<productId>?lat=..&lng=.. for a random product, from a
-- point up to ~1 km from the fixture's centre (the page shows stock and delivery from there).
-- Loads bench/lua/ relative to this file, whatever the working directory.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "../lua/?.lua;" .. package.path
local bench = require("common")

function init(args)
  bench.init_thread()
  products = bench.read_lines("products.txt")
  lat, lng = bench.center()
end

function request()
  local p = products[math.random(1, #products)]
  local la, ln = bench.jitter(lat, lng, 0.01)
  return wrk.format("GET", "/api/v1/products/" .. p .. "?lat=" .. la .. "&lng=" .. ln, { ["Accept"] = "application/json" })
end

setup = bench.setup
done = bench.simple_done("product_detail")
