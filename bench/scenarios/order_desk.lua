-- Store order desk: GET /api/v1/admin/orders?storeId=<deskStoreId>&per=20 with the staff token.
-- Loads bench/lua/ relative to this file, whatever the working directory.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "../lua/?.lua;" .. package.path
local bench = require("common")

function init(args)
  bench.init_thread()
  wrk.method = "GET"
  wrk.path = "/api/v1/admin/orders?storeId=" .. bench.read_first("desk_store.txt") .. "&per=20"
  wrk.headers["Authorization"] = "Bearer " .. bench.read_first("staff_token.txt")
  wrk.headers["Accept"] = "application/json"
  wrk.init(args) -- the same request every time: wrk sends it without calling Lua
end

setup = bench.setup
done = bench.simple_done("order_desk")
