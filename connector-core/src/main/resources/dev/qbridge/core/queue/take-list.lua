-- take-list: move up to N jobs from a reliable queue (a list) into leases, in one atomic step.
-- KEYS[1] ready list (the guide's LPUSH target)    KEYS[2] leases zset (score = lease deadline, ms)
-- KEYS[3] retry zset (score = due time, ms)        KEYS[4] id sequence (string counter)
-- KEYS[5] reaped list (lease members the reaper requeued, oldest at the head)
-- KEYS[6..] extra ready lists, served after the ready list in this order (none for most queues)
-- ARGV[1] max jobs to take (1..1000)               ARGV[2] lease duration, ms
-- ARGV[3] byte budget: stop before a job would take the batch's payload bytes over it (the first job is
--         always taken, whatever its size), so that one call stays short however large the jobs are
-- ARGV[4] (optional) the key prefix of job hashes: the queue holds job ids, and each job is the hash <prefix><id>
--         (RQ: rq:job:<id>); then the hash of every job taken is read (HGETALL) in this same step, and counts in the
--         byte budget with its id
-- ARGV[5] (optional) 'head' to pop ready jobs from the head (LPOP: a system whose clients RPUSH, as RQ's); the tail
--         (RPOP) otherwise
-- Returns: an array of lease members "<id>:<attempt>:<score>:<payload>" (score is empty for lists); with job hashes,
--          {members, hashes}: hashes[i] is the flat HGETALL of member i's hash (empty when the hash is missing), or
--          {type} when that key holds another type (the caller dead-letters those ids; no hash is ever changed).
-- Order: jobs the reaper requeued, then due retries, then ready jobs: the first two have waited longest. Ready
-- jobs come from the ready list and then from each extra ready list, each from the tail, once the one before is empty.
-- Invariant: a job is always in exactly one of ready, reaped, retry or leases; each lease member is unique
-- (its id is unique, its attempt grows on every delivery), so a late ack can never remove a newer delivery.
-- Redis never rolls a script back: no job may be lost to a write that fails on a key of the wrong type. Reaped and
-- retry are checked by reading them (only when one exists: one EXISTS spares both reads in the usual case), the
-- ready list by the first RPOP (a command that fails changes nothing), or by TYPE when the batch is full before it;
-- each extra ready list by its first RPOP, after which a refusal puts back what the lists before it gave.
-- q:seq and leases are checked by their own writes after the RPOP: INCRBY q:seq 1 when the first ready job is taken
-- (its reply gives the first id), then the ZADD of the leases; when either fails (a key of another type, an ACL
-- refusal), the popped jobs are pushed back onto the tail of their lists in their order and q:seq is put back
-- before the call refuses or raises, so the queue is as it was. A call that takes nothing writes nothing and checks
-- no more. A job hash is read by redis.pcall before the ZADD: a refusal (an ACL without the key) puts back as above,
-- a key of another type is that job's problem, reported with it, not the queue's.
unchanged = 'nothing was taken'
local q = KEYS[1]
-- numbers become strings with %d, here and in redis.call arguments: Lua 5.1 and Redis turn a number into a string
-- with sprintf('%.14g') or ('%.17g'), whose floating-point path cost ~1,300 instructions per job in the ids alone
-- (callgrind); and %.14g writes ids from 1e14 on as 1e+14
local format = string.format
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
local budget = tonumber(ARGV[3])
-- a string once, not a number that every ZADD argument would convert again
local deadline = format('%d', now + tonumber(ARGV[2]))
local out, leases = {}, {}
local count, bytes, largest, full = 0, 0, 1, false
-- job hashes (ARGV[4]): hashes[i] is the hash of out[i]; head (ARGV[5]): ready jobs are popped from the head
local prefix, hashes, head = ARGV[4], nil, ARGV[5] == 'head'
if prefix == '' then prefix = nil end
if prefix then hashes = {} end

local reapedCount, dueCount = 0, 0
if redis.call('EXISTS', KEYS[5], KEYS[3]) > 0 then
  -- the two functions are made here, not at the top: a closure is made on every call and costs ~600 instructions
  -- plus ~250 per upvalue (callgrind: made at the top, these two cost a batch-1 take 6,700 of its ~99,000)
  -- how many more jobs to read at once: what the budget leaves at the largest size seen so far, but never more
  -- than four times what was already read, so that a run of unexpectedly large jobs costs one short read
  local function nextChunk()
    local left = math.floor((budget - bytes) / largest)
    if left > 4 * count then left = 4 * count end
    if left > max - count then left = max - count end
    if left < 1 then left = 1 end
    return left
  end
  -- takes a member delivered before (reaped or retried) again: same id and score, next attempt; false when the
  -- budget is full
  local function again(m)
    local size = #m
    local h
    if prefix then
      -- nothing has changed yet: a refusal of the read (an ACL) is raised as it is
      local a = string.find(m, ':', 1, true)
      local c = string.find(m, ':', string.find(m, ':', a + 1, true) + 1, true)
      local key = prefix .. string.sub(m, c + 1)
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
    if count > 0 and bytes + size > budget then full = true return false end
    bytes = bytes + size
    if size > largest then largest = size end
    local a = string.find(m, ':', 1, true)
    local b = string.find(m, ':', a + 1, true)
    local lease = string.sub(m, 1, a) .. format('%d', tonumber(string.sub(m, a + 1, b - 1)) + 1) .. string.sub(m, b)
    count = count + 1
    leases[2 * count - 1] = deadline
    leases[2 * count] = lease
    out[count] = lease
    if h then hashes[count] = h end
    return true
  end
  -- jobs the reaper requeued, oldest (head) first
  while count < max and not full do
    local want = nextChunk()
    local chunk, bad = read('LRANGE', KEYS[5], 'list', 'the reaped jobs of queue ' .. q, reapedCount, reapedCount + want - 1)
    if bad then return bad end
    for _, m in ipairs(chunk) do
      if not again(m) then break end
      reapedCount = reapedCount + 1
    end
    if #chunk < want then break end
  end
  -- jobs whose retry backoff has passed
  while count < max and not full do
    local want = nextChunk()
    local chunk, bad = read('ZRANGEBYSCORE', KEYS[3], 'zset', 'the retries of queue ' .. q, '-inf', now, 'LIMIT', dueCount, want)
    if bad then return bad end
    for _, m in ipairs(chunk) do
      if not again(m) then break end
      dueCount = dueCount + 1
    end
    if #chunk < want then break end
  end
end

local bad
-- then ready jobs from the tail (FIFO with LPUSH producers), popped in chunks; a job past the budget is pushed
-- back onto the tail, so the order stays exactly as it was
local fresh = 0
-- the ids of one call are consecutive: each is written as its tens (formatted once per ten ids) and a last digit
-- from this table, in the one concatenation that builds the member; a format per id cost 10% of the take's
-- instructions per job at batch 500 (callgrind)
local DIGITS, tens = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9'}
if count >= max or full then
  bad = mustBe(q, 'list', 'a reliable queue')
  if bad then return bad end
end
-- q:seq gets INCRBY 1 when the first ready job is taken (base is nil before), the rest of the ids after the ZADD.
-- The lists are popped in order: q, then the extra ready lists (KEYS[6] on), each once the one before is empty;
-- segments, made only when a take reaches an extra list, says from which fresh job on each list's jobs were taken.
-- A write refused after the first RPOP ends the loop with failed = {its error reply, key, type, role, the chunk
-- popped and not yet taken, if any}; the jobs are then put back below, in code that runs only then (a closure
-- made for it on every call cost ~3,500 instructions, a third of a redis.call, callgrind).
local popped, base, chunk, segments, failed = false, nil, nil, nil, nil
local list, role, nextKey = q, 'a reliable queue', 6
while count < max and not full do
  -- as nextChunk above (a closure made on every call costs ~1,000-2,600 instructions: only a take that serves
  -- reaped or retried jobs makes one); the first read of a call is one job
  local want = 1
  if count > 0 then
    want = math.floor((budget - bytes) / largest)
    if want > 4 * count then want = 4 * count end
    if want > max - count then want = max - count end
    if want < 1 then want = 1 end
  end
  local n = want == 1 and '1' or format('%d', want)
  if popped then
    if head then chunk = redis.call('LPOP', list, n) else chunk = redis.call('RPOP', list, n) end
  else
    -- the first RPOP of each list checks its type: refused, it changes nothing, and what the lists before it gave is
    -- put back below as for any refused write (nothing, when it is the first)
    if head then chunk = redis.pcall('LPOP', list, n) else chunk = redis.pcall('RPOP', list, n) end
    if type(chunk) == 'table' and chunk.err then failed = {chunk, list, 'list', role} break end
    popped = true
  end
  local got = chunk and #chunk or 0
  if got > 0 and not base and (count == 0 or bytes + #chunk[1] <= budget) then
    -- the first ready job will be taken: its id
    local top = redis.pcall('INCRBY', KEYS[4], '1')
    if type(top) == 'table' then failed = {top, KEYS[4], 'string', 'the job id counter of queue ' .. q, chunk} break end
    base = top - 1
    -- as readCount: ids stay exact in Lua's doubles and the INCRBY of the rest cannot overflow
    if base >= 1e18 then failed = {{err = 'not an integer'}, KEYS[4], 'string', 'the job id counter of queue ' .. q, chunk} break end
  end
  for i = 1, got do
    local payload = chunk[i]
    local size = #payload
    if prefix then
      local key = prefix .. payload
      local h = redis.pcall('HGETALL', key)
      if h.err then
        if string.sub(h.err, 1, 9) ~= 'WRONGTYPE' then
          -- refused (an ACL without the key): this chunk's jobs not yet taken go back first, then the rest below
          local back = {}
          for k = got, i, -1 do back[#back + 1] = chunk[k] end
          if head then redis.call('LPUSH', list, unpack(back)) else redis.call('RPUSH', list, unpack(back)) end
          failed = {h, key, 'hash', 'the hash of a job of queue ' .. q}
          break
        end
        h = {redis.call('TYPE', key).ok}
      end
      for j = 1, #h do size = size + #h[j] end
      -- stored here, not after the member, so that an ordinary queue's loop tests for hashes once per job
      -- (each test in this loop costs ~1% of a batch-500 take, callgrind); taken back below when over the budget
      hashes[count + 1] = h
    end
    if count > 0 and bytes + size > budget then
      full = true
      if prefix then hashes[count + 1] = nil end
      local back = {}
      for k = got, i, -1 do back[#back + 1] = chunk[k] end
      if head then redis.call('LPUSH', list, unpack(back)) else redis.call('RPUSH', list, unpack(back)) end
      break
    end
    bytes = bytes + size
    if size > largest then largest = size end
    count = count + 1
    fresh = fresh + 1
    local id = base + fresh
    local last = id % 10
    if last == 0 or fresh == 1 then tens = id >= 10 and format('%d', (id - last) / 10) or '' end
    local lease = tens .. DIGITS[last + 1] .. ':1::' .. payload
    leases[2 * count - 1] = deadline
    leases[2 * count] = lease
    out[count] = lease
  end
  if failed then break end
  if got < want and not full then
    -- this list is empty: the next one, checked by its first RPOP
    if nextKey > #KEYS then break end
    list, role, nextKey, popped = KEYS[nextKey], 'an extra ready list of queue ' .. q, nextKey + 1, false
    segments = segments or {{q, 0}}
    segments[#segments + 1] = {list, fresh}
  end
end
if count > 0 and not failed then
  local reply = redis.pcall('ZADD', KEYS[2], unpack(leases))
  if type(reply) == 'table' then failed = {reply, KEYS[2], 'zset', 'the leases of queue ' .. q} end
end
if failed then
  -- put back what was popped, each job onto the tail of its list in its order, and q:seq as it was (absent when it
  -- was 0: no script tells an absent counter from 0); then refuse as a check before the first change would, or
  -- raise the error (an ACL refusal). Redis refuses a command for OOM only before a script's first write, so a
  -- write after the RPOP fails on its own key or not at all.
  if failed[5] then
    local back = {}
    for k = #failed[5], 1, -1 do back[#back + 1] = failed[5][k] end
    if head then redis.call('LPUSH', list, unpack(back)) else redis.call('RPUSH', list, unpack(back)) end
  elseif fresh > 0 then
    segments = segments or {{q, 0}}
    for s = #segments, 1, -1 do
      local back = {}
      for k = s < #segments and segments[s + 1][2] or fresh, segments[s][2] + 1, -1 do
        local m = out[count - fresh + k]
        back[#back + 1] = string.sub(m, string.find(m, ':', 1, true) + 4) -- fresh members are "<id>:1::<payload>"
      end
      if #back > 0 then
        if head then redis.call('LPUSH', segments[s][1], unpack(back)) else redis.call('RPUSH', segments[s][1], unpack(back)) end
      end
    end
  end
  if base == 0 then redis.call('DEL', KEYS[4]) elseif base then redis.call('INCRBY', KEYS[4], '-1') end
  local reply, key, want, keyRole = failed[1], failed[2], failed[3], failed[4]
  local refusal
  if string.sub(reply.err, 1, 9) == 'WRONGTYPE' then
    refusal = mustBe(key, want, keyRole)
  elseif want == 'string' and string.find(reply.err, 'not an integer', 1, true) then
    refusal = select(2, readCount(key, keyRole))
  end
  if refusal then return refusal end
  -- raised as redis.call raises it: Redis 7 raises the error table, 6.2 its message (a table would read "(null)")
  if redis.REDIS_VERSION_NUM then error(reply) end
  error(reply.err)
end
if count > 0 then
  if reapedCount > 0 then redis.call('LTRIM', KEYS[5], reapedCount, -1) end
  -- the due retries taken are the lowest ranks (read from rank 0 on): removed by rank, not one argument per job
  if dueCount > 0 then redis.call('ZREMRANGEBYRANK', KEYS[3], '0', format('%d', dueCount - 1)) end
  if fresh > 1 then redis.call('INCRBY', KEYS[4], format('%d', fresh - 1)) end
end
if prefix then return {out, hashes} end
return out
