-- take-sorted: move up to N jobs from a priority or delayed queue (a sorted set) into leases, atomically.
-- KEYS[1] ready zset    KEYS[2] leases zset    KEYS[3] retry zset    KEYS[4] id sequence
-- ARGV[1] max jobs (1..1000)    ARGV[2] lease duration, ms
-- ARGV[3] 'priority' (lowest score first, all jobs) or 'delayed' (only jobs whose score is due)
-- ARGV[4] for 'delayed': milliseconds per score unit (1000 when scores are epoch seconds, 1 for ms)
-- ARGV[5] byte budget, as take-list: the first job is always taken, the batch never grows past the budget
-- Returns: an array of lease members "<id>:<attempt>:<score>:<member>"; the original score is kept so
-- that a requeued job regains its priority or due time.
-- Order: a due retry (or a job the reaper requeued) competes with the ready jobs by the score it had in
-- the queue: lowest first, a retry first among equal scores. Of the due retries, the N earliest due are
-- the candidates of one call.
-- Invariant: as take-list; never a pop-and-lose (BZPOPMIN) step: the job moves into leases in this script.
-- Redis never rolls a script back: every key this script writes is checked before the first removal.

unchanged = 'nothing was taken'
local bad = mustBe(KEYS[1], 'zset', 'a ' .. ARGV[3] .. ' queue') or mustBe(KEYS[2], 'zset', 'the leases of queue ' .. KEYS[1])
    or mustBe(KEYS[3], 'zset', 'the retries of queue ' .. KEYS[1]) or mustCount(KEYS[4], 'the job id counter of queue ' .. KEYS[1])
if bad then return bad end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
local budget = tonumber(ARGV[5])
local delayed = ARGV[3] == 'delayed'
local dueScore = delayed and string.format('%.3f', now / tonumber(ARGV[4])) or nil
-- a string once, not a number that every ZADD argument would convert again
local deadline = tostring(now + tonumber(ARGV[2]))
local bytes = 0
local largest = 1

-- as take-list: what the budget leaves at the largest size seen, at most four times what was already read
local function nextChunk(count)
  local left = math.floor((budget - bytes) / largest)
  return math.max(1, math.min(max - count, left, 4 * count))
end

-- the due retries, ordered by the score each had in the queue (Lua reads 'inf' and '-inf' as numbers)
local retries = {}
local readBytes = 0
while #retries < max and (#retries == 0 or readBytes < budget) do
  local left = math.floor((budget - readBytes) / largest)
  local n = math.max(1, math.min(max - #retries, left, 4 * #retries))
  local chunk = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', #retries, n)
  for _, m in ipairs(chunk) do
    local a = string.find(m, ':', 1, true)
    local b = string.find(m, ':', a + 1, true)
    local c = string.find(m, ':', b + 1, true)
    retries[#retries + 1] = {m, tonumber(string.sub(m, b + 1, c - 1)) or 0, #retries}
    readBytes = readBytes + #m
    if #m > largest then largest = #m end
  end
  if #chunk < n then break end
end
table.sort(retries, function(x, y) return x[2] < y[2] or (x[2] == y[2] and x[3] < y[3]) end)

-- the ready jobs, lowest score first (delayed: only those due), read lazily in chunks
local buffer, used, offset, exhausted = {}, 0, 0, false
local function peekReady(count)
  if used < #buffer then return buffer[used + 1] end
  if exhausted then return nil end
  local n = nextChunk(count)
  local items
  if delayed then
    items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', dueScore, 'WITHSCORES', 'LIMIT', offset, n)
  else
    items = redis.call('ZRANGE', KEYS[1], offset, offset + n - 1, 'WITHSCORES')
  end
  buffer, used = {}, 0
  for i = 1, #items, 2 do
    buffer[#buffer + 1] = {items[i], tonumber(items[i + 1]), items[i + 1]}
  end
  offset = offset + #buffer
  if #buffer < n then exhausted = true end
  return buffer[1]
end

local picked = {}      -- in delivery order: {true, retry member} or {false, member, score as Redis printed it}
local takenRetries, takenReady = {}, {}
local ri = 1
while #picked < max do
  local r = retries[ri]
  local q = peekReady(#picked)
  local retry
  if r and (not q or r[2] <= q[2]) then retry = true elseif q then retry = false else break end
  local size = retry and #r[1] or #q[1]
  if #picked > 0 and bytes + size > budget then break end
  bytes = bytes + size
  if size > largest then largest = size end
  if retry then
    picked[#picked + 1] = {true, r[1]}
    takenRetries[#takenRetries + 1] = r[1]
    ri = ri + 1
  else
    picked[#picked + 1] = {false, q[1], q[3]}
    takenReady[#takenReady + 1] = q[1]
    used = used + 1
  end
end
if #picked == 0 then return {} end

local base = 0
if #takenReady > 0 then base = redis.call('INCRBY', KEYS[4], #takenReady) - #takenReady end
local out, leases, fresh = {}, {}, 0
for i, p in ipairs(picked) do
  local lease
  if p[1] then
    local m = p[2]
    local a = string.find(m, ':', 1, true)
    local b = string.find(m, ':', a + 1, true)
    lease = string.sub(m, 1, a) .. (tonumber(string.sub(m, a + 1, b - 1)) + 1) .. string.sub(m, b)
  else
    fresh = fresh + 1
    lease = (base + fresh) .. ':1:' .. p[3] .. ':' .. p[2]
  end
  leases[2 * i - 1] = deadline
  leases[2 * i] = lease
  out[i] = lease
end
redis.call('ZADD', KEYS[2], unpack(leases))
if #takenRetries > 0 then redis.call('ZREM', KEYS[3], unpack(takenRetries)) end
if #takenReady > 0 then redis.call('ZREM', KEYS[1], unpack(takenReady)) end
return out
