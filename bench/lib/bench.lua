-- wrk script for the Portico benchmark (LuaJIT, as Debian's wrk is built).
--
-- Environment:
--   BENCH_METHOD   request method (default GET)
--   BENCH_BODY     a fixed body (mode "fixed")
--   BENCH_LIST     file of requests, one a line: body[\tpath[\tName: value...]]
--   BENCH_MODE     "fixed": the same request every time (body from BENCH_BODY)
--                  "list":  each request is the next unused line of BENCH_LIST (codes,
--                           client assertions, interactions: each is sent once)
--                  "chain": refresh with rotation; BENCH_LIST holds refresh tokens (bodies),
--                           and each 200 answer's refresh_token is the body of a later request
--   BENCH_THREADS  number of wrk threads (-t), so each thread takes its share of the list
--   BENCH_OUT      file the summary is written to, as JSON
-- Static headers come from wrk's -H options.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local function now_s()
  local ts = ffi.new("bench_timespec")
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local mode = os.getenv("BENCH_MODE") or "fixed"
local method = os.getenv("BENCH_METHOD") or "GET"

-- main state ------------------------------------------------------------------------------
local threads = {}
local next_id = 0

-- BENCH_ADDRS: "host:port,host:port": several copies of the server; thread i talks to copy
-- i mod n (the URL's Host header stays the first copy's, the issuer every copy shares).
local addrs = {}
for hostport in (os.getenv("BENCH_ADDRS") or ""):gmatch("[^,]+") do
  local host, port = hostport:match("^(.*):(%d+)$")
  table.insert(addrs, wrk.lookup(host, port)[1])
end

function setup(thread)
  if #addrs > 1 then
    thread.addr = addrs[(next_id % #addrs) + 1]
  end
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- thread state ----------------------------------------------------------------------------
local reqs = {}
local pos = 0
local queue_head, queue_tail = 1, 0
local queue = {}
-- Globals, so done() can read them with thread:get().
used, exhausted_at = 0, -1
local started = 0
local prefix_body, suffix_body = "", ""
local chain_ok, chain_dead = 0, 0

local function split(line, sep)
  local out = {}
  for field in (line .. sep):gmatch("(.-)" .. sep) do
    table.insert(out, field)
  end
  return out
end

local function build(body, path, extra)
  local headers = {}
  for k, v in pairs(wrk.headers) do
    headers[k] = v
  end
  for _, h in ipairs(extra or {}) do
    local name, value = h:match("^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  if body == "" then body = nil end
  return wrk.format(method, path or wrk.path, headers, body)
end

function init(args)
  started = now_s()
  local threads_n = tonumber(os.getenv("BENCH_THREADS") or "1")
  if mode == "fixed" then
    local body = os.getenv("BENCH_BODY")
    reqs[1] = build(body or "", nil, nil)
    return
  end
  local file = assert(io.open(os.getenv("BENCH_LIST"), "r"))
  local i = 0
  for line in file:lines() do
    if line ~= "" then
      if i % threads_n == id then
        if mode == "chain" then
          queue_tail = queue_tail + 1
          queue[queue_tail] = line
        else
          local f = split(line, "\t")
          local extra = {}
          for j = 3, #f do table.insert(extra, f[j]) end
          local path = f[2]
          if path == "" then path = nil end
          table.insert(reqs, build(f[1], path, extra))
        end
      end
      i = i + 1
    end
  end
  file:close()
  if mode == "chain" then
    prefix_body = os.getenv("BENCH_CHAIN_PREFIX") or "grant_type=refresh_token&refresh_token="
    suffix_body = os.getenv("BENCH_CHAIN_SUFFIX") or ""
  end
end

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  if mode == "fixed" then
    return reqs[1]
  end
  if mode == "chain" then
    if queue_head > queue_tail then
      -- Every chain broke (errors); send a token nobody has, counted as an error.
      if exhausted_at < 0 then exhausted_at = now_s() - started end
      return build(prefix_body .. "none" .. suffix_body, nil, nil)
    end
    local token = queue[queue_head]
    queue[queue_head] = nil
    queue_head = queue_head + 1
    used = used + 1
    return build(prefix_body .. urlencode(token) .. suffix_body, nil, nil)
  end
  pos = pos + 1
  if pos > #reqs then
    if exhausted_at < 0 then exhausted_at = now_s() - started end
    wrk.thread:stop()
    return reqs[#reqs]
  end
  used = used + 1
  return reqs[pos]
end

if mode == "chain" then
  function response(status, headers, body)
    if status == 200 then
      local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
      if token then
        queue_tail = queue_tail + 1
        queue[queue_tail] = token
        chain_ok = chain_ok + 1
        return
      end
    end
    chain_dead = chain_dead + 1
    if chain_dead == 1 and os.getenv("BENCH_DEBUG") then
      io.stderr:write("first failed answer: ", status, " ", body or "", "\n")
    end
  end
end

function done(summary, latency, requests)
  local used_total, exhausted, exhausted_min = 0, false, nil
  for _, t in ipairs(threads) do
    used_total = used_total + (tonumber(t:get("used")) or 0)
    local at = tonumber(t:get("exhausted_at")) or -1
    if at >= 0 then
      exhausted = true
      if not exhausted_min or at < exhausted_min then exhausted_min = at end
    end
  end
  local e = summary.errors
  local out = string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"mean_us":%.1f,"used":%d,"exhausted":%s,"exhausted_at_s":%s}',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, used_total, tostring(exhausted),
    exhausted_min and string.format("%.3f", exhausted_min) or "null")
  local path = os.getenv("BENCH_OUT")
  if path then
    local f = assert(io.open(path, "w"))
    f:write(out, "\n")
    f:close()
  else
    io.write(out, "\n")
  end
end
