-- take-sorted: move up to N jobs from a priority or delayed queue (a sorted set) into leases, atomically.
-- KEYS[1] ready zset    KEYS[2] leases zset    KEYS[3] retry zset    KEYS[4] id sequence
-- KEYS[5] reaped list (lease members the reaper requeued, oldest at the head)
-- ARGV[1] max jobs (1..1000)    ARGV[2] lease duration, ms
-- ARGV[3] 'priority' (lowest score first, all jobs) or 'delayed' (only jobs whose score is due)
-- ARGV[4] for 'delayed': milliseconds per score unit (1000 when scores are epoch seconds, 1 for ms)
-- ARGV[5] byte budget, as take-list: the first job is always taken, the batch never grows past the budget
-- ARGV[6], ARGV[7] (optional) a shared ready set's filter (shared-set.lua's queueFilter, a prelude loaded with this
--   script only for such a queue): only members that are JSON objects whose top-level field ARGV[6] is the string
--   ARGV[7] are this queue's (Sidekiq's schedule, retry and dead sets hold every queue's jobs); the others are read
--   past and never touched, so a take costs up to the whole set when this queue's jobs are rare
-- ARGV[8] (optional) the key prefix of job hashes: the set holds job ids, each job the hash <prefix><id> (RQ's
--   registries rq:scheduled:<q>, rq:failed:<q>); each candidate's hash is read (HGETALL) before anything changes, and
--   counts in the byte budget with its id. ARGV[6] and ARGV[7] are then empty.
-- Returns: an array of lease members "<id>:<attempt>:<score>:<member>"; the original score is kept so
-- that a requeued job regains its priority or due time. With job hashes {members, hashes}, as take-list.
-- Order: a due retry or a job the reaper requeued competes with the ready jobs by the score it had in the
-- queue: lowest first, a reaped job then a retry first among equal scores. The candidates of one call are up to
-- N of them: the oldest reaped jobs, then the earliest due retries.
-- Invariant: as take-list; never a pop-and-lose (BZPOPMIN) step: the job moves into leases in this script.
-- Redis never rolls a script back: no job may be lost to a write that fails on a key of the wrong type. Reaped,
-- retry and the ready zset are checked by reading them; q:seq by its INCRBY, the first write (a command that fails
-- changes nothing); leases by its ZADD, the second, whose failure (a key of another type, an ACL refusal) puts q:seq
-- back before the call refuses or raises, so nothing changed. A call that takes nothing writes nothing and checks
-- no more.
unchanged = 'nothing was taken'
local q = KEYS[1]
-- numbers are written with %d: Lua 5.1 turns a number into a string with sprintf('%.14g'), whose floating-point
-- path cost ~1,300 instructions per job in the ids alone (callgrind), and writes ids from 1e14 on as 1e+14
local format = string.format
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
local budget = tonumber(ARGV[5])
local delayed = ARGV[3] == 'delayed'
local dueScore = delayed and string.format('%.3f', now / tonumber(ARGV[4])) or nil
-- a string once, not a number that every ZADD argument would convert again
local deadline = format('%d', now + tonumber(ARGV[2]))
local bytes = 0
local largest = 1
-- job hashes: hashes[i] is the hash of the i-th job picked, read before the first write (a refusal is raised as it is)
local prefix, hashes = ARGV[8], nil
if prefix == '' then prefix = nil end
if prefix then hashes = {} end

-- as take-list: what the budget leaves at the largest size seen, at most four times what was already read
local function nextChunk(count)
  local left = math.floor((budget - bytes) / largest)
  return math.max(1, math.min(max - count, left, 4 * count))
end

-- the candidates delivered before: reaped jobs, then due retries, each {member, score it had in the queue (Lua
-- reads 'inf' and '-inf' as numbers), order read, from reaped}; ordered by score
local retries, reapedWindow = {}, {}
local readBytes, reapedRead, retriesRead = 0, 0, 0
if redis.call('EXISTS', KEYS[5], KEYS[3]) > 0 then
  -- the functions are made here, and ours only for a shared set: a closure is made on every call and costs ~600
  -- instructions plus ~250 per upvalue (callgrind)
  local function candidates(chunk, reaped)
    for _, m in ipairs(chunk) do
      local a = string.find(m, ':', 1, true)
      local b = string.find(m, ':', a + 1, true)
      local c = string.find(m, ':', b + 1, true)
      if reaped then reapedWindow[#retries] = m end
      retries[#retries + 1] = {m, tonumber(string.sub(m, b + 1, c - 1)) or 0, #retries, reaped}
      readBytes = readBytes + #m
      if #m > largest then largest = #m end
    end
  end
  local function nextCandidates()
    local left = math.floor((budget - readBytes) / largest)
    return math.max(1, math.min(max - #retries, left, 4 * #retries))
  end
  while #retries < max and (#retries == 0 or readBytes < budget) do
    local n = nextCandidates()
    local chunk, bad = read('LRANGE', KEYS[5], 'list', 'the reaped jobs of queue ' .. q, reapedRead, reapedRead + n - 1)
    if bad then return bad end
    candidates(chunk, true)
    reapedRead = reapedRead + #chunk
    if #chunk < n then break end
  end
  while #retries < max and (#retries == 0 or readBytes < budget) do
    local n = nextCandidates()
    local chunk, bad = read('ZRANGEBYSCORE', KEYS[3], 'zset', 'the retries of queue ' .. q, '-inf', now, 'LIMIT', retriesRead, n)
    if bad then return bad end
    candidates(chunk, false)
    retriesRead = retriesRead + #chunk
    if #chunk < n then break end
  end
  table.sort(retries, function(x, y) return x[2] < y[2] or (x[2] == y[2] and x[3] < y[3]) end)
end

-- a shared set's members of this queue, by shared-set.lua's queueFilter: RedisQueue puts that prelude before this
-- script only for a queue that reads a shared set (its take passes ARGV 6 and 7), since defining the function would
-- cost every other take a closure (~600 instructions, callgrind); queueFilter is looked up only when field is set
-- (a queue of job hashes passes ARGV 6 and 7 empty)
local field = ARGV[6]
if field == '' then field = nil end
local ours = field and queueFilter(field, ARGV[7])

-- the ready jobs, lowest score first (delayed: only those due), read lazily in chunks
local buffer, used, offset, exhausted = {}, 0, 0, false
local function peekReady(count)
  if used < #buffer then return buffer[used + 1] end
  if exhausted then return nil end
  buffer, used = {}, 0
  -- a shared set reads on past the other queues' members until it finds one of this queue's, or the end
  while #buffer == 0 and not exhausted do
    local n = field and math.max(nextChunk(count), 1000) or nextChunk(count)
    local items, bad
    if delayed then
      items, bad = read('ZRANGEBYSCORE', q, 'zset', 'a delayed queue', '-inf', dueScore, 'WITHSCORES', 'LIMIT', offset, n)
    else
      items, bad = read('ZRANGE', q, 'zset', 'a priority queue', offset, offset + n - 1, 'WITHSCORES')
    end
    if bad then return nil, bad end
    for i = 1, #items, 2 do
      if not field or ours(items[i]) then buffer[#buffer + 1] = {items[i], tonumber(items[i + 1]), items[i + 1]} end
    end
    offset = offset + #items / 2
    if #items / 2 < n then exhausted = true end
  end
  return buffer[1]
end

local picked = {}      -- in delivery order: {true, member delivered before} or {false, member, score as Redis printed it}
local takenRetries, takenReady = {}, {}
local reapedTaken = {} -- reaped candidates taken, by the order they were read
local ri = 1
while #picked < max do
  local r = retries[ri]
  local ready, bad = peekReady(#picked)
  if bad then return bad end
  local again
  if r and (not ready or r[2] <= ready[2]) then again = true elseif ready then again = false else break end
  local size = again and #r[1] or #ready[1]
  local h
  if prefix then
    local id = ready and not again and ready[1] or nil
    if again then
      local m = r[1]
      local a = string.find(m, ':', 1, true)
      id = string.sub(m, string.find(m, ':', string.find(m, ':', a + 1, true) + 1, true) + 1)
    end
    local key = prefix .. id
    h = redis.pcall('HGETALL', key)
    if h.err then
      if string.sub(h.err, 1, 9) ~= 'WRONGTYPE' then
        if redis.REDIS_VERSION_NUM then error(h) end
        error(h.err)
      end
      h = {redis.call('TYPE', key).ok}
    end
    for j = 1, #h do size = size + #h[j] end
  end
  if #picked > 0 and bytes + size > budget then break end
  if h then hashes[#picked + 1] = h end
  bytes = bytes + size
  if size > largest then largest = size end
  if again then
    picked[#picked + 1] = {true, r[1]}
    if r[4] then reapedTaken[r[3]] = true else takenRetries[#takenRetries + 1] = r[1] end
    ri = ri + 1
  else
    picked[#picked + 1] = {false, ready[1], ready[3]}
    takenReady[#takenReady + 1] = ready[1]
    used = used + 1
  end
end
if #picked == 0 then
  if prefix then return {{}, {}} end
  return {}
end

-- ids first: INCRBY is the first write (it checks q:seq), the ZADD of the leases the second
local base, n = 0, #takenReady
if n > 0 then
  local top, bad = write('INCRBY', KEYS[4], 'string', 'the job id counter of queue ' .. q, n)
  if bad then return bad end
  base = top - n
end
local out, leases, fresh = {}, {}, 0
-- ids written as in take-list: the tens once per ten consecutive ids, the last digit from a table
local DIGITS, tens = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9'}
for i, p in ipairs(picked) do
  local lease
  if p[1] then
    local m = p[2]
    local a = string.find(m, ':', 1, true)
    local b = string.find(m, ':', a + 1, true)
    lease = string.sub(m, 1, a) .. format('%d', tonumber(string.sub(m, a + 1, b - 1)) + 1) .. string.sub(m, b)
  else
    fresh = fresh + 1
    local id = base + fresh
    local last = id % 10
    if last == 0 or fresh == 1 then tens = id >= 10 and format('%d', (id - last) / 10) or '' end
    lease = tens .. DIGITS[last + 1] .. ':1:' .. p[3] .. ':' .. p[2]
  end
  leases[2 * i - 1] = deadline
  leases[2 * i] = lease
  out[i] = lease
end
local reply = redis.pcall('ZADD', KEYS[2], unpack(leases))
if type(reply) == 'table' then
  -- refused (a key of another type, an ACL refusal; never OOM after a first write): q:seq as it was (absent when it
  -- was 0: no script tells an absent counter from 0), then refuse as a check before the first change would, or raise
  if n > 0 then
    if base == 0 then redis.call('DEL', KEYS[4]) else redis.call('INCRBY', KEYS[4], format('%d', -n)) end
  end
  if string.sub(reply.err, 1, 9) == 'WRONGTYPE' then
    local refusal = mustBe(KEYS[2], 'zset', 'the leases of queue ' .. q)
    if refusal then return refusal end
  end
  -- raised as redis.call raises it: Redis 7 raises the error table, 6.2 its message (a table would read "(null)")
  if redis.REDIS_VERSION_NUM then error(reply) end
  error(reply.err)
end
if next(reapedTaken) then
  -- the taken ones need not be a prefix of what was read (a lower score may come later): trim the whole window
  -- and push the untaken ones back at the head, in their order
  local back = {}
  for i = reapedRead - 1, 0, -1 do
    if not reapedTaken[i] then back[#back + 1] = reapedWindow[i] end
  end
  redis.call('LTRIM', KEYS[5], reapedRead, -1)
  if #back > 0 then redis.call('LPUSH', KEYS[5], unpack(back)) end
end
if #takenRetries > 0 then redis.call('ZREM', KEYS[3], unpack(takenRetries)) end
if #takenReady > 0 then
  -- without a shared set's filter the ready jobs taken are the lowest ranks (read from rank 0 on, taken in order):
  -- removed by rank, not one argument per job; a shared set's are scattered among other queues' members
  if field then redis.call('ZREM', q, unpack(takenReady)) else redis.call('ZREMRANGEBYRANK', q, '0', format('%d', #takenReady - 1)) end
end
if prefix then return {out, hashes} end
return out
