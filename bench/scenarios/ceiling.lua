-- Framework ceiling: GET /healthz, no database. Every other scenario is compared with it.
-- Loads bench/lua/ relative to this file, whatever the working directory.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "../lua/?.lua;" .. package.path
local bench = require("common")

wrk.method = "GET"
wrk.path = "/healthz"
wrk.headers["Accept"] = "application/json"

setup = bench.setup
done = bench.simple_done("ceiling")
