-- Shared helpers for the wrk scenarios in bench/scenarios/.
--
-- wrk runs one Lua state per thread (init/request/response) plus one more for setup/done.
-- This module is loaded into each of them. Inputs come from plain text files that bench/run
-- flattens out of the bench-seed fixtures (one item per line) in the folder named by the
-- environment variable BENCH_DATA; results go to the JSON-lines file named by BENCH_RESULT.

local M = {}

function M.env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return v
end

M.data_dir = M.env("BENCH_DATA", "bench/.data/lists")

local function fail(message)
  io.stderr:write("bench: " .. message .. "\n")
  error("bench: " .. message)
end
M.fail = fail

-- All non-empty lines of BENCH_DATA/<name>, trailing white space removed.
function M.read_lines(name)
  local path = M.data_dir .. "/" .. name
  local f, err = io.open(path, "r")
  if not f then fail("cannot open " .. path .. " (" .. tostring(err) .. "); is BENCH_DATA set?") end
  local lines = {}
  for line in f:lines() do
    line = line:gsub("%s+$", "")
    if line ~= "" then lines[#lines + 1] = line end
  end
  f:close()
  if #lines == 0 then fail(path .. " is empty") end
  return lines
end

function M.read_first(name) return M.read_lines(name)[1] end

-- The fixture's centre as two numbers.
function M.center()
  local lat, lng = M.read_first("center.txt"):match("^(%S+)%s+(%S+)$")
  lat, lng = tonumber(lat), tonumber(lng)
  if not lat or not lng then fail("center.txt must hold 'lat lng'") end
  return lat, lng
end

-- Coordinates near (lat, lng), up to `spread` degrees away, as URL-ready text.
function M.jitter(lat, lng, spread)
  return string.format("%.6f", lat + (math.random() * 2 - 1) * spread),
         string.format("%.6f", lng + (math.random() * 2 - 1) * spread)
end

---------------------------------------------------------------------------------------------
-- Threads. setup() runs in the setup/done state: it numbers the threads and keeps them so
-- done() can read each thread's counters with thread:get() (flat tables only: wrk 4.1 crashes
-- copying a table that holds a table). The thread count is passed by
-- bench/run in BENCH_THREADS (wrk starts thread 0 before setup() has seen thread 1).

M.threads = {}

function M.setup(thread)
  thread:set("thread_id", #M.threads)
  table.insert(M.threads, thread)
end

function M.thread_count()
  return tonumber(M.env("BENCH_THREADS", "1")) or 1
end

-- Called at the top of init(): a per-thread random seed, the thread id as a number.
function M.init_thread()
  local id = tonumber(rawget(_G, "thread_id")) or 0
  math.randomseed(os.time() * 1000 + id * 7919 + math.floor((os.clock() * 1e6) % 1e6))
  for _ = 1, 10 do math.random() end
  return id
end

-- Thread `id` of `n` gets items id+1, id+1+n, id+1+2n, ... so threads never share an item.
-- With fewer items than threads every thread falls back to the whole list (and says so).
function M.slice(list, id, n)
  local out = {}
  for i = id + 1, #list, n do out[#out + 1] = list[i] end
  if #out == 0 then
    io.stderr:write(string.format("bench: warning: %d items for %d threads; thread %d shares the whole list\n", #list, n, id))
    for i = 1, #list do out[i] = list[i] end
  end
  return out
end

---------------------------------------------------------------------------------------------
-- A monotonic clock in milliseconds (LuaJIT's FFI), for per-step latencies in multi-step
-- scenarios. nil when the FFI is not there; those numbers are then left out.

do
  local ok, ffi = pcall(require, "ffi")
  if ok and ffi then
    local defined = pcall(ffi.cdef, [[
      typedef struct { long tv_sec; long tv_nsec; } bench_timespec_t;
      int clock_gettime(int clk_id, bench_timespec_t *tp);
    ]])
    if defined then
      local ts = ffi.new("bench_timespec_t")
      M.now_ms = function()
        ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
        return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
      end
    end
  end
end

-- Percentile (0-100) of an unsorted array of numbers; nil when empty.
function M.percentile(values, p)
  if #values == 0 then return nil end
  table.sort(values)
  local rank = math.max(1, math.ceil(p / 100 * #values))
  return values[math.min(rank, #values)]
end

---------------------------------------------------------------------------------------------
-- A small, complete JSON reader (objects, arrays, strings with escapes, numbers, literals).
-- Used to read the payment id out of checkout responses.

local decode_value

local function skip(s, i)
  local _, e = s:find("^[ \t\r\n]*", i)
  return e + 1
end

local escapes = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }

local function utf8_char(code)
  if code < 0x80 then return string.char(code) end
  if code < 0x800 then return string.char(0xC0 + math.floor(code / 0x40), 0x80 + code % 0x40) end
  if code < 0x10000 then
    return string.char(0xE0 + math.floor(code / 0x1000), 0x80 + math.floor(code / 0x40) % 0x40, 0x80 + code % 0x40)
  end
  return string.char(0xF0 + math.floor(code / 0x40000), 0x80 + math.floor(code / 0x1000) % 0x40,
                     0x80 + math.floor(code / 0x40) % 0x40, 0x80 + code % 0x40)
end

local function decode_string(s, i) -- s:sub(i, i) == '"'
  local parts, j = {}, i + 1
  while true do
    local a, b = s:find('^[^"\\]+', j)
    if a then parts[#parts + 1] = s:sub(a, b); j = b + 1 end
    local c = s:sub(j, j)
    if c == '"' then return table.concat(parts), j + 1 end
    if c ~= '\\' then error("unterminated string at " .. i) end
    local e = s:sub(j + 1, j + 1)
    if e == 'u' then
      local code = tonumber(s:sub(j + 2, j + 5), 16)
      if not code then error("bad \\u escape at " .. j) end
      j = j + 6
      if code >= 0xD800 and code <= 0xDBFF and s:sub(j, j + 1) == '\\u' then
        local low = tonumber(s:sub(j + 2, j + 5), 16)
        if low and low >= 0xDC00 and low <= 0xDFFF then
          code = 0x10000 + (code - 0xD800) * 0x400 + (low - 0xDC00)
          j = j + 6
        end
      end
      parts[#parts + 1] = utf8_char(code)
    elseif escapes[e] then
      parts[#parts + 1] = escapes[e]
      j = j + 2
    else
      error("bad escape at " .. j)
    end
  end
end

decode_value = function(s, i)
  i = skip(s, i)
  local c = s:sub(i, i)
  if c == '{' then
    local obj = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == '}' then return obj, i + 1 end
    while true do
      i = skip(s, i)
      if s:sub(i, i) ~= '"' then error("expected a key at " .. i) end
      local key
      key, i = decode_string(s, i)
      i = skip(s, i)
      if s:sub(i, i) ~= ':' then error("expected ':' at " .. i) end
      obj[key], i = decode_value(s, i + 1)
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == '}' then return obj, i + 1 end
      if d ~= ',' then error("expected ',' or '}' at " .. i) end
      i = i + 1
    end
  elseif c == '[' then
    local arr = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == ']' then return arr, i + 1 end
    while true do
      arr[#arr + 1], i = decode_value(s, i)
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == ']' then return arr, i + 1 end
      if d ~= ',' then error("expected ',' or ']' at " .. i) end
      i = i + 1
    end
  elseif c == '"' then
    return decode_string(s, i)
  elseif s:sub(i, i + 3) == "true" then return true, i + 4
  elseif s:sub(i, i + 4) == "false" then return false, i + 5
  elseif s:sub(i, i + 3) == "null" then return nil, i + 4
  else
    local a, b = s:find("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
    if not a then error("unexpected character at " .. i) end
    return tonumber(s:sub(a, b)), b + 1
  end
end

-- Decoded value, or nil and a message.
function M.json_decode(s)
  if type(s) ~= "string" then return nil, "no body" end
  local ok, value = pcall(decode_value, s, 1)
  if not ok then return nil, value end
  return value
end

---------------------------------------------------------------------------------------------
-- JSON writing for the result line: keys in the order given.

local function encode(v)
  local t = type(v)
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    if v == math.floor(v) and math.abs(v) < 1e15 then return string.format("%d", v) end
    return string.format("%.3f", v)
  elseif t == "string" then
    return '"' .. v:gsub('[%c"\\]', function(c)
      if c == '"' then return '\\"' elseif c == '\\' then return '\\\\' end
      return string.format("\\u%04x", c:byte())
    end) .. '"'
  elseif t == "boolean" then
    return tostring(v)
  elseif t == "table" then
    if v.__order then
      local parts = {}
      for _, k in ipairs(v.__order) do
        if v[k] ~= nil then parts[#parts + 1] = encode(k) .. ":" .. encode(v[k]) end
      end
      return "{" .. table.concat(parts, ",") .. "}"
    end
    if #v > 0 or next(v) == nil then
      local parts = {}
      for i = 1, #v do parts[i] = encode(v[i]) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = encode(k) .. ":" .. encode(v[k] == nil and v[tonumber(k)] or v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return "null"
end
M.json_encode = encode

-- An object whose keys are written in insertion order.
function M.ordered()
  local obj = { __order = {} }
  return setmetatable(obj, { __newindex = function(o, k, v)
    table.insert(o.__order, k)
    rawset(o, k, v)
  end })
end

---------------------------------------------------------------------------------------------
-- done(): one JSON line per scenario, appended to BENCH_RESULT (stdout when it is unset).
--
-- `extra` (optional) holds scenario-specific numbers; when it has `errors`, that count
-- replaces wrk's HTTP status count (multi-step scenarios count their own unexpected statuses).

function M.write_result(scenario, summary, latency, extra)
  extra = extra or {}
  local duration = summary.duration / 1e6
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  local http = extra.http_errors
  if http == nil then http = e.status end

  local r = M.ordered()
  r.scenario = scenario
  r.requests = summary.requests
  r.duration_s = duration
  r.rps = duration > 0 and summary.requests / duration or 0
  r.p50_ms = latency:percentile(50) / 1000
  r.p90_ms = latency:percentile(90) / 1000
  r.p99_ms = latency:percentile(99) / 1000
  r.max_ms = latency.max / 1000
  r.mean_ms = latency.mean / 1000
  r.errors = socket + http
  r.socket_errors = { connect = e.connect, read = e.read, write = e.write, timeout = e.timeout }
  r.http_errors = http
  r.wrk_status_errors = e.status
  r.threads = M.thread_count()
  r.connections = tonumber(M.env("BENCH_CONNECTIONS", "0")) or 0
  for _, k in ipairs(extra.__order or {}) do
    if k ~= "http_errors" then r[k] = extra[k] end
  end

  local line = encode(r) .. "\n"
  local path = os.getenv("BENCH_RESULT")
  if path and path ~= "" then
    local f, err = io.open(path, "a")
    if not f then
      io.stderr:write("bench: cannot append to " .. path .. ": " .. tostring(err) .. "\n")
      io.write(line)
      return
    end
    f:write(line)
    f:close()
  else
    io.write(line)
  end
end

-- A done() for single-request scenarios.
function M.simple_done(scenario)
  return function(summary, latency, requests)
    M.write_result(scenario, summary, latency)
  end
end

return M
