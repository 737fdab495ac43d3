-- Nearby stores: GET /api/v1/stores/nearby?lat=..&lng=..&radiusKm=5 from points up to ~2 km
-- from the fixture's centre.
-- Loads bench/lua/ relative to this file, whatever the working directory.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "../lua/?.lua;" .. package.path
local bench = require("common")

function init(args)
  bench.init_thread()
  lat, lng = bench.center()
end

function request()
  local la, ln = bench.jitter(lat, lng, 0.02)
  return wrk.format("GET", "/api/v1/stores/nearby?lat=" .. la .. "&lng=" .. ln .. "&radiusKm=5", { ["Accept"] = "application/json" })
end

setup = bench.setup
done = bench.simple_done("nearby_stores")
