-- Flash sale: members hammer the quick purchase of the one flash-sale SKU from the moment its
-- session opens (bench/run opens it just before this scenario):
--
--   POST /api/v1/flash-sales/<sessionId>/purchases {"skuId":..,"quantity":1} + Idempotency-Key
--
-- 201 is a purchase (200 a replayed key: the same purchase, counted once, as a replay); 409 is
-- a refusal, told apart by its detail: sold out (the quota gate, or the database's last word),
-- over the member's limit, not open yet, ended. Refusals are expected, not errors. Every
-- attempt takes the next of this thread's few members (MEMBERS_PER_CONNECTION of its slice of
-- tokens_flash.txt) and a fresh key, so members come back for their second unit and then meet
-- the limit: at 64 connections, 512 members who may buy 1,024 units between them.
--
-- Purchases and refusals are timed apart (wrk's own latency mixes them), which needs one
-- connection per wrk thread: bench/run passes -t N -c N. Refusals per second are counted over
-- the sold-out window only (from the first sold-out refusal to the end), where the gate alone
-- answers; purchases per second over the selling window (start to the last purchase).
-- Loads bench/lua/ relative to this file, whatever the working directory.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "../lua/?.lua;" .. package.path
local bench = require("common")

local COUNTERS = { "purchases", "replays", "refused", "sold_out", "over_limit", "not_open", "ended", "errors" }
local MAX_SAMPLES = 100000
local MEMBERS_PER_CONNECTION = 8

function init(args)
  local id = bench.init_thread()
  local slice = bench.slice(bench.read_lines("tokens_flash.txt"), id, bench.thread_count())
  tokens = {}
  for i = 1, math.min(MEMBERS_PER_CONNECTION, #slice) do tokens[i] = slice[i] end
  session_id, sku_id, units, limit = bench.read_first("flash.txt"):match("^(%S+)%s+(%S+)%s+(%d+)%s+(%d+)")
  if not session_id then bench.fail("flash.txt must hold 'sessionId skuId units limit'") end
  path = "/api/v1/flash-sales/" .. session_id .. "/purchases"
  body = '{"skuId":"' .. sku_id .. '","quantity":1}'
  run_tag = string.format("%x%04x", os.time(), math.random(0, 0xffff))
  thread_tag = id
  stats = {}
  for _, k in ipairs(COUNTERS) do stats[k] = 0 end
  -- Flat tables only: wrk's thread:get() crashes on nested ones.
  by_status, step_errors, purchase_ms, refusal_ms, window = {}, {}, {}, {}, {}
  member = math.random(1, #tokens)
  serial = 1
  started = nil
end

-- Changes no state: wrk calls request() again to resend after a reconnect.
function request()
  if bench.now_ms then
    started = bench.now_ms()
    window.first = window.first or started
  end
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. tokens[member],
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-flash-%s-t%d-%d", run_tag, thread_tag, serial),
  }, body)
end

local function sample(list, ms)
  if ms and #list < MAX_SAMPLES then list[#list + 1] = ms end
end

local function refusal_kind(body)
  local doc = bench.json_decode(body)
  local detail = type(doc) == "table" and type(doc.detail) == "string" and doc.detail or ""
  if detail:find("sold out", 1, true) then return "sold_out" end
  if detail:find("at most", 1, true) then return "over_limit" end
  if detail:find("opens", 1, true) then return "not_open" end
  if detail:find("ended", 1, true) then return "ended" end
  return nil
end

function response(status, headers, body)
  local now = bench.now_ms and bench.now_ms()
  local ms = now and started and (now - started)
  local key = tostring(status)
  by_status[key] = (by_status[key] or 0) + 1
  if status == 201 or status == 200 then
    stats.purchases = stats.purchases + 1
    if status == 200 then stats.replays = stats.replays + 1 end
    sample(purchase_ms, ms)
    window.last_purchase = now
  elseif status == 409 and refusal_kind(body) then
    local kind = refusal_kind(body)
    stats.refused = stats.refused + 1
    stats[kind] = stats[kind] + 1
    sample(refusal_ms, ms)
    if kind == "sold_out" and now then window.sold_out = window.sold_out or now end
  else
    stats.errors = stats.errors + 1
    step_errors["purchase " .. key] = (step_errors["purchase " .. key] or 0) + 1
  end
  window.last = now
  member = member % #tokens + 1
  serial = serial + 1
end

setup = bench.setup

function done(summary, latency, requests)
  local total = {}
  for _, k in ipairs(COUNTERS) do total[k] = 0 end
  local all_status, all_errors, purchases, refusals = {}, {}, {}, {}
  local first, last, last_purchase, sold_out
  local function earliest(a, b) if a == nil then return b elseif b == nil then return a end return math.min(a, b) end
  local function latest(a, b) if a == nil then return b elseif b == nil then return a end return math.max(a, b) end
  for _, thread in ipairs(bench.threads) do
    local s = thread:get("stats")
    if type(s) == "table" then
      for _, k in ipairs(COUNTERS) do total[k] = total[k] + (tonumber(s[k]) or 0) end
    end
    for k, v in pairs(thread:get("by_status") or {}) do all_status[k] = (all_status[k] or 0) + v end
    for k, v in pairs(thread:get("step_errors") or {}) do all_errors[k] = (all_errors[k] or 0) + v end
    for _, v in ipairs(thread:get("purchase_ms") or {}) do purchases[#purchases + 1] = v end
    for _, v in ipairs(thread:get("refusal_ms") or {}) do refusals[#refusals + 1] = v end
    local w = thread:get("window") or {}
    first, last = earliest(first, w.first), latest(last, w.last)
    last_purchase, sold_out = latest(last_purchase, w.last_purchase), earliest(sold_out, w.sold_out)
  end
  local duration = summary.duration / 1e6
  local selling_s = (first and last_purchase) and (last_purchase - first) / 1000 or duration
  local sold_out_s = (sold_out and last) and (last - sold_out) / 1000 or 0
  local extra = bench.ordered()
  extra.http_errors = total.errors
  local flash_units, flash_limit = bench.read_first("flash.txt"):match("^%S+%s+%S+%s+(%d+)%s+(%d+)")
  extra.units = tonumber(flash_units)
  extra.per_member_limit = tonumber(flash_limit)
  extra.purchases = total.purchases
  extra.purchase_replays = total.replays
  extra.purchases_per_s = selling_s > 0 and total.purchases / selling_s or 0
  extra.selling_s = selling_s
  extra.refused = total.refused
  extra.refused_sold_out = total.sold_out
  extra.refused_over_limit = total.over_limit
  extra.refused_not_open = total.not_open
  extra.refused_ended = total.ended
  extra.refusals_per_s = total.refused / (duration > 0 and duration or 1)
  extra.sold_out_s = sold_out_s
  -- Sold-out refusals in the window after the first one, when only the gate answers.
  extra.sold_out_refusals_per_s = sold_out_s > 0 and total.sold_out / sold_out_s or nil
  extra.purchase_p50_ms = bench.percentile(purchases, 50)
  extra.purchase_p99_ms = bench.percentile(purchases, 99)
  extra.refusal_p50_ms = bench.percentile(refusals, 50)
  extra.refusal_p99_ms = bench.percentile(refusals, 99)
  extra.by_status = all_status
  extra.step_errors = all_errors
  bench.write_result("flash_sale", summary, latency, extra)
end
