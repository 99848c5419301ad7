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
--                  "mix":   the soak: every kind of request in BENCH_MIX, interleaved (below)
--   BENCH_THREADS  number of wrk threads (-t), so each thread takes its share of the list
--   BENCH_OUT      file the summary is written to, as JSON
-- Static headers come from wrk's -H options.
--
-- Mode "mix". BENCH_MIX is a file of request kinds, one a line, fields split by tabs:
--   name  weight  source  max_age  method  path  prefix  suffix  [Name: value ...]
-- Each thread sends the kinds in one fixed interleaving in which each has `weight` slots out
-- of the sum of the weights, spread evenly (smooth weighted round robin), so the request
-- stream of every thread, and of its connections together, mixes them in those proportions.
-- The body is prefix .. item .. suffix, the item by source:
--   "fixed"  none (the same request every time);
--   "feed"   single-use items (authorization codes, client assertions) that main.mjs writes
--            while the run goes: batch files BENCH_FEED_DIR/<name>-t<thread>-<seq>, lines
--            "<minted, s since the epoch>\t<item, already form-encoded>", each file renamed
--            into place whole. A thread reads the next batch of its own when it has used the
--            last, from seq BENCH_FEED_START ("name=s0,s1,...;name=..." per thread), and
--            deletes it; an item older than max_age s is dropped unsent ("stale");
--   "chain"  refresh tokens: BENCH_CHAIN_LIST to begin with (line i to thread i mod
--            threads), and the refresh_token of every 2xx answer (refresh and code exchange
--            alike) while the thread holds fewer than BENCH_CHAIN_CAP; the rest end there.
--            The tokens left at the end go to BENCH_CHAIN_OUT for the next run.
-- A kind with no item at hand is not sent: the next slot's kind is, and the miss is counted
-- ("short"; the run reports that its list ran out). Answers are counted by status and OAuth
-- error code; a 200 that says "active":false (introspection) counts as an error too.

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

local function build(body, path, extra, m)
  local headers = {}
  for k, v in pairs(wrk.headers) do
    headers[k] = v
  end
  for _, h in ipairs(extra or {}) do
    local name, value = h:match("^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  if body == "" then body = nil end
  return wrk.format(m or method, path or wrk.path, headers, body)
end

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- mode "mix" -------------------------------------------------------------------------------
local kinds = {}      -- { name, source, max_age, method, path, prefix, suffix, headers, req }
local schedule = {}   -- kind indexes in sending order, one cycle
local slot = 0
local feed_dir = os.getenv("BENCH_FEED_DIR") or "."
-- Globals, so done() can read them with thread:get().
mix_sent, mix_short, mix_stale = {}, {}, {}
resp_status, resp_error = {}, {}
chain_q, chain_head, chain_tail, chain_ended = {}, 1, 0, 0
local chain_cap = 1e9

local function mix_init(threads_n)
  local file = assert(io.open(os.getenv("BENCH_MIX"), "r"))
  for line in file:lines() do
    if line ~= "" then
      local f = split(line, "\t")
      local k = {
        name = f[1], weight = tonumber(f[2]), source = f[3], max_age = tonumber(f[4]),
        method = f[5], path = f[6], prefix = f[7], suffix = f[8], headers = {},
      }
      for j = 9, #f do table.insert(k.headers, f[j]) end
      if k.source == "fixed" then
        k.req = build(k.prefix .. k.suffix, k.path, k.headers, k.method)
      end
      k.items, k.pos, k.seq = {}, 1, 0
      table.insert(kinds, k)
      mix_sent[k.name], mix_short[k.name], mix_stale[k.name] = 0, 0, 0
    end
  end
  file:close()
  -- Smooth weighted round robin: each step every kind gains its weight, the richest is sent
  -- and pays the total. Exact shares per cycle, evenly spread.
  local total, credit = 0, {}
  for i, k in ipairs(kinds) do total = total + k.weight; credit[i] = 0 end
  for _ = 1, total do
    local best = 1
    for i, k in ipairs(kinds) do
      credit[i] = credit[i] + k.weight
      if credit[i] > credit[best] then best = i end
    end
    credit[best] = credit[best] - total
    table.insert(schedule, best)
  end
  -- Threads start at different points of the cycle.
  slot = math.floor(id * #schedule / threads_n)
  for spec in (os.getenv("BENCH_FEED_START") or ""):gmatch("[^;]+") do
    local name, seqs = spec:match("^([^=]+)=(.*)$")
    local per = split(seqs, ",")
    for _, k in ipairs(kinds) do
      if k.name == name then k.seq = tonumber(per[id + 1]) or 0 end
    end
  end
  chain_cap = tonumber(os.getenv("BENCH_CHAIN_CAP") or "") or chain_cap
  local list = os.getenv("BENCH_CHAIN_LIST")
  if list and list ~= "" then
    local i = 0
    for line in assert(io.open(list, "r")):lines() do
      if line ~= "" then
        if i % threads_n == id then
          chain_tail = chain_tail + 1
          chain_q[chain_tail] = line
        end
        i = i + 1
      end
    end
  end
end

--- The next item of feed kind `k`, or nil when none is at hand.
local function feed_next(k)
  while true do
    if k.pos > #k.items then
      local path = string.format("%s/%s-t%d-%d", feed_dir, k.name, id, k.seq)
      local fh = io.open(path, "r")
      if not fh then return nil end
      local items = {}
      for line in fh:lines() do
        if line ~= "" then table.insert(items, line) end
      end
      fh:close()
      os.remove(path)
      k.items, k.pos, k.seq = items, 1, k.seq + 1
    else
      local line = k.items[k.pos]
      k.pos = k.pos + 1
      local minted, item = line:match("^(%d+)\t(.*)$")
      if tonumber(minted) + k.max_age >= os.time() then return item end
      mix_stale[k.name] = mix_stale[k.name] + 1
    end
  end
end

local function mix_request()
  for _ = 1, #schedule do
    slot = slot % #schedule + 1
    local k = kinds[schedule[slot]]
    local item
    if k.source == "fixed" then
      mix_sent[k.name] = mix_sent[k.name] + 1
      return k.req
    elseif k.source == "feed" then
      item = feed_next(k)
    elseif chain_head <= chain_tail then
      item = urlencode(chain_q[chain_head])
      chain_q[chain_head] = nil
      chain_head = chain_head + 1
    end
    if item then
      mix_sent[k.name] = mix_sent[k.name] + 1
      used = used + 1
      return build(k.prefix .. item .. k.suffix, k.path, k.headers, k.method)
    end
    mix_short[k.name] = mix_short[k.name] + 1
    if exhausted_at < 0 then exhausted_at = now_s() - started end
  end
  -- Nothing at hand at all (a mix of single-use kinds only): stop this thread.
  wrk.thread:stop()
  return kinds[1].req or build("", nil, nil)
end

local function mix_response(status, headers, body)
  if status >= 200 and status < 300 then
    local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if token then
      if chain_tail - chain_head + 1 < chain_cap then
        chain_tail = chain_tail + 1
        chain_q[chain_tail] = token
      else
        chain_ended = chain_ended + 1
      end
    elseif body:find('"active"%s*:%s*false') then
      resp_error["inactive"] = (resp_error["inactive"] or 0) + 1
    end
    return
  end
  local s = tostring(status)
  resp_status[s] = (resp_status[s] or 0) + 1
  local code = (body or ""):match('"error"%s*:%s*"([^"]+)"') or "-"
  local key = s .. " " .. code
  resp_error[key] = (resp_error[key] or 0) + 1
  if resp_error[key] == 1 and os.getenv("BENCH_DEBUG") then
    io.stderr:write("first ", key, " answer: ", (body or ""):sub(1, 300), "\n")
  end
end

function init(args)
  started = now_s()
  local threads_n = tonumber(os.getenv("BENCH_THREADS") or "1")
  if mode == "mix" then
    mix_init(threads_n)
    return
  end
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

function request()
  if mode == "mix" then
    return mix_request()
  end
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

if mode == "mix" then
  response = mix_response
end

-- BENCH_DEBUG: a list run's first answer of each failing status goes to stderr (main.mjs logs
-- it), so that a run's errors can be told apart.
if mode == "list" and os.getenv("BENCH_DEBUG") then
  local seen = {}
  function response(status, headers, body)
    if status >= 300 and not seen[status] then
      seen[status] = true
      io.stderr:write("first ", status, " answer: ", (body or ""):sub(1, 300), "\n")
    end
  end
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

--- Sums a per-thread table of counts over the threads.
local function sum_tables(name)
  local out = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get(name) or {}) do out[k] = (out[k] or 0) + v end
  end
  return out
end

local function json_counts(t)
  local parts = {}
  for k, v in pairs(t) do
    table.insert(parts, string.format('"%s":%d', k:gsub('[%c"\\]', "?"), v))
  end
  table.sort(parts)
  return "{" .. table.concat(parts, ",") .. "}"
end

--- The mix's counts as JSON fields (leading comma), and the chains left to BENCH_CHAIN_OUT.
local function mix_summary()
  local left, ended = 0, 0
  local out = os.getenv("BENCH_CHAIN_OUT")
  local f = out and assert(io.open(out, "w"))
  for _, t in ipairs(threads) do
    local q, head, tail = t:get("chain_q") or {}, t:get("chain_head"), t:get("chain_tail")
    for i = head, tail do
      if q[i] then
        left = left + 1
        if f then f:write(q[i], "\n") end
      end
    end
    ended = ended + (tonumber(t:get("chain_ended")) or 0)
  end
  if f then f:close() end
  return string.format(',"sent":%s,"short":%s,"stale":%s,"statuses":%s,"error_codes":%s,' ..
    '"chains_left":%d,"chains_ended":%d',
    json_counts(sum_tables("mix_sent")), json_counts(sum_tables("mix_short")),
    json_counts(sum_tables("mix_stale")), json_counts(sum_tables("resp_status")),
    json_counts(sum_tables("resp_error")), left, ended)
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
  local mix = ""
  if mode == "mix" then
    mix = mix_summary()
  end
  local e = summary.errors
  local out = string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"mean_us":%.1f,"used":%d,"exhausted":%s,"exhausted_at_s":%s%s}',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, used_total, tostring(exhausted),
    exhausted_min and string.format("%.3f", exhausted_min) or "null", mix)
  local path = os.getenv("BENCH_OUT")
  if path then
    local f = assert(io.open(path, "w"))
    f:write(out, "\n")
    f:close()
  else
    io.write(out, "\n")
  end
end
