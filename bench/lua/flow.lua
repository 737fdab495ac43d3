-- The shopper's flow shared by checkout.lua and stampede.lua:
--
--   add   POST /api/v1/cart/lines {"skuId":..,"quantity":1}               expect 200
--   buy   POST /api/v1/checkout {} + Idempotency-Key                      expect 201 (payment.id);
--         200 is the server's answer to a replayed key (wrk resends after a reconnect): the
--         same checkout, counted once, as a replay
--   pay   POST /api/v1/payments/<paymentId>/sandbox/complete {}           expect 200
--   drop  DELETE /api/v1/cart/lines/<skuId>  after a refused checkout, so the member's cart is
--         empty again the next time round                                expect 2xx
--
-- then the next member of this thread's slice of the token file.
--
-- The state lives in the thread's Lua state, and wrk's request()/response() do not say which
-- connection they belong to, so this is only a per-connection state machine when each wrk
-- thread has exactly one connection: bench/run runs these scenarios with -t N -c N.
--
-- request() must not change state: wrk calls it once more before the run to check the
-- request, and again to resend on a reconnect. Everything advances in response().

local bench = require("common")
local M = {}

local ADD, BUY, PAY, DROP = "add", "checkout", "pay", "drop"

-- opts.scenario      name written to the result line
-- opts.tokens_file   file of member tokens (each thread takes a disjoint slice)
-- opts.next_sku()    SKU to put in the cart for the next round (called in init's state)
-- opts.expected      set of checkout statuses that are expected losers, not errors
function M.install(opts)
  local expected = opts.expected or {}

  function init(args)
    local id = bench.init_thread()
    local n = bench.thread_count()
    tokens = bench.slice(bench.read_lines(opts.tokens_file), id, n)
    if opts.load then opts.load() end
    run_tag = string.format("%x%04x", os.time(), math.random(0, 0xffff))
    thread_tag = id
    stats = {
      adds = 0, attempts = 0, checkouts = 0, replays = 0, paid = 0, drops = 0, rejected = 0, rejected_409 = 0, rejected_422 = 0,
      errors = 0, rounds = 0,
    }
    -- Separate flat tables: wrk's thread:get() crashes on nested tables.
    by_status, step_errors, checkout_ms = {}, {}, {}
    member = math.random(1, #tokens)
    serial = 0
    state = ADD
    sku = opts.next_sku()
    started = nil
  end

  local function json_headers(extra)
    local h = {
      ["Authorization"] = "Bearer " .. tokens[member],
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json",
    }
    if extra then for k, v in pairs(extra) do h[k] = v end end
    return h
  end

  function request()
    if bench.now_ms then started = bench.now_ms() end
    if state == ADD then
      return wrk.format("POST", "/api/v1/cart/lines", json_headers(),
                        '{"skuId":"' .. sku .. '","quantity":1}')
    elseif state == BUY then
      return wrk.format("POST", "/api/v1/checkout", json_headers({ ["Idempotency-Key"] = idempotency_key }), "{}")
    elseif state == PAY then
      return wrk.format("POST", "/api/v1/payments/" .. payment_id .. "/sandbox/complete", json_headers(), "{}")
    else -- DROP
      return wrk.format("DELETE", "/api/v1/cart/lines/" .. sku, json_headers(), nil)
    end
  end

  local function count_error(step, status)
    stats.errors = stats.errors + 1
    local key = step .. " " .. tostring(status)
    step_errors[key] = (step_errors[key] or 0) + 1
  end

  local function next_round()
    stats.rounds = stats.rounds + 1
    member = member % #tokens + 1
    sku = opts.next_sku()
    state = ADD
  end

  function response(status, headers, body)
    local key = tostring(status)
    by_status[key] = (by_status[key] or 0) + 1

    if state == ADD then
      if status >= 200 and status < 300 then
        stats.adds = stats.adds + 1
        serial = serial + 1
        -- A fresh key for each checkout; kept for resends of this same checkout.
        idempotency_key = string.format("bench-%s-%s-t%d-%d", opts.scenario, run_tag, thread_tag, serial)
        state = BUY
      else
        count_error(ADD, status)
        next_round()
      end

    elseif state == BUY then
      stats.attempts = stats.attempts + 1
      if started and bench.now_ms and #checkout_ms < 200000 then
        checkout_ms[#checkout_ms + 1] = bench.now_ms() - started
      end
      if status == 201 or status == 200 then
        stats.checkouts = stats.checkouts + 1
        if status == 200 then stats.replays = stats.replays + 1 end
        local doc = bench.json_decode(body)
        local pid = type(doc) == "table" and type(doc.payment) == "table" and doc.payment.id
        if type(pid) == "string" and pid ~= "" then
          payment_id = pid
          state = PAY
        else
          count_error("checkout-body", "no payment.id")
          next_round()
        end
      elseif status == 409 or status == 422 then
        stats.rejected = stats.rejected + 1
        stats["rejected_" .. status] = stats["rejected_" .. status] + 1
        if not expected[status] then count_error(BUY, status) end
        if status == 409 then state = DROP else next_round() end -- 422: the cart is already empty
      else
        count_error(BUY, status)
        state = DROP
      end

    elseif state == PAY then
      if status >= 200 and status < 300 then
        stats.paid = stats.paid + 1
      else
        count_error(PAY, status)
      end
      next_round()

    else -- DROP
      if status >= 200 and status < 300 then
        stats.drops = stats.drops + 1
      else
        count_error(DROP, status)
      end
      next_round()
    end
  end

  setup = bench.setup

  function done(summary, latency, requests)
    local total = { adds = 0, attempts = 0, checkouts = 0, replays = 0, paid = 0, drops = 0, rejected = 0, rejected_409 = 0,
                    rejected_422 = 0, errors = 0, rounds = 0 }
    local all_status, all_step_errors, all_checkout_ms = {}, {}, {}
    for _, thread in ipairs(bench.threads) do
      local s = thread:get("stats")
      if type(s) == "table" then
        for k in pairs(total) do total[k] = total[k] + (tonumber(s[k]) or 0) end
      end
      for k, v in pairs(thread:get("by_status") or {}) do all_status[k] = (all_status[k] or 0) + v end
      for k, v in pairs(thread:get("step_errors") or {}) do all_step_errors[k] = (all_step_errors[k] or 0) + v end
      for _, v in ipairs(thread:get("checkout_ms") or {}) do all_checkout_ms[#all_checkout_ms + 1] = v end
    end
    local duration = summary.duration / 1e6
    local extra = bench.ordered()
    extra.http_errors = total.errors
    extra.checkouts = total.checkouts
    extra.checkouts_per_s = duration > 0 and total.checkouts / duration or 0
    extra.checkout_replays = total.replays
    extra.paid = total.paid
    extra.paid_per_s = duration > 0 and total.paid / duration or 0
    extra.rejected = total.rejected
    extra.rejected_409 = total.rejected_409
    extra.rejected_422 = total.rejected_422
    extra.cart_adds = total.adds
    extra.cart_drops = total.drops
    extra.rounds = total.rounds
    extra.checkout_attempts = total.attempts
    extra.checkout_p50_ms = bench.percentile(all_checkout_ms, 50)
    extra.checkout_p99_ms = bench.percentile(all_checkout_ms, 99)
    extra.by_status = all_status
    extra.step_errors = all_step_errors
    if opts.extra then opts.extra(extra) end
    bench.write_result(opts.scenario, summary, latency, extra)
  end
end

return M
