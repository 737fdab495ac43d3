-- Store order desk: GET /api/v1/admin/orders?storeId=<deskStoreId>&per=20 with the staff token.
-- Loads bench/lua/ relative to this file, whatever the working directory.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "../lua/?.lua;" .. package.path
local bench = require("common")

-- Set at load time and no init()/request(): wrk then builds the request once and sends it
-- without calling Lua (as for the ceiling).
wrk.method = "GET"
wrk.path = "/api/v1/admin/orders?storeId=" .. bench.read_first("desk_store.txt") .. "&per=20"
wrk.headers["Authorization"] = "Bearer " .. bench.read_first("staff_token.txt")
wrk.headers["Accept"] = "application/json"

setup = bench.setup
done = bench.simple_done("order_desk")
