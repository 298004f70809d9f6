-- take-list: move up to N jobs from a reliable queue (a list) into leases, in one atomic step.
-- KEYS[1] ready list (the guide's LPUSH target)    KEYS[2] leases zset (score = lease deadline, ms)
-- KEYS[3] retry zset (score = due time, ms)        KEYS[4] id sequence (string counter)
-- ARGV[1] max jobs to take (1..1000)               ARGV[2] lease duration, ms
-- ARGV[3] byte budget: stop before a job would take the batch's payload bytes over it (the first job is
--         always taken, whatever its size), so that one call stays short however large the jobs are
-- Returns: an array of lease members "<id>:<attempt>:<score>:<payload>" (score is empty for lists).
-- Invariant: a job is always in exactly one of ready, retry or leases; each lease member is unique
-- (its id is unique, its attempt grows on every delivery), so a late ack can never remove a newer delivery.
-- Redis never rolls a script back: every key this script writes is checked (and q:seq read as an integer) before
-- the first removal, so no command after it can fail.

unchanged = 'nothing was taken'
local bad = mustBe(KEYS[1], 'list', 'a reliable queue') or mustBe(KEYS[2], 'zset', 'the leases of queue ' .. KEYS[1])
    or mustBe(KEYS[3], 'zset', 'the retries of queue ' .. KEYS[1]) or mustCount(KEYS[4], 'the job id counter of queue ' .. KEYS[1])
if bad then return bad end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
local budget = tonumber(ARGV[3])
-- a string once, not a number that every ZADD argument would convert again
local deadline = tostring(now + tonumber(ARGV[2]))
local out, leases = {}, {}
local count, bytes, largest, full = 0, 0, 1, false

-- how many more jobs to read at once: what the budget leaves at the largest size seen so far, but never more
-- than four times what was already read, so that a run of unexpectedly large jobs costs one short read
local function nextChunk()
  local left = math.floor((budget - bytes) / largest)
  if left > 4 * count then left = 4 * count end
  if left > max - count then left = max - count end
  if left < 1 then left = 1 end
  return left
end

-- jobs whose retry backoff has passed go first: they have waited longest
local due, dueCount = {}, 0
while count < max and not full do
  local want = nextChunk()
  local chunk = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', dueCount, want)
  for _, m in ipairs(chunk) do
    local size = #m
    if count > 0 and bytes + size > budget then full = true break end
    bytes = bytes + size
    if size > largest then largest = size end
    local a = string.find(m, ':', 1, true)
    local b = string.find(m, ':', a + 1, true)
    local lease = string.sub(m, 1, a) .. (tonumber(string.sub(m, a + 1, b - 1)) + 1) .. string.sub(m, b)
    count = count + 1
    dueCount = dueCount + 1
    due[dueCount] = m
    leases[2 * count - 1] = deadline
    leases[2 * count] = lease
    out[count] = lease
  end
  if #chunk < want then break end
end

-- then ready jobs from the tail (FIFO with LPUSH producers), popped in chunks; a job past the budget is pushed
-- back onto the tail, so the order stays exactly as it was
local base = tonumber(redis.call('GET', KEYS[4]) or '0')
local fresh = 0
while count < max and not full do
  local want = nextChunk()
  local chunk = redis.call('RPOP', KEYS[1], want)
  if not chunk then break end
  local got = #chunk
  for i = 1, got do
    local payload = chunk[i]
    local size = #payload
    if count > 0 and bytes + size > budget then
      full = true
      local back = {}
      for k = got, i, -1 do back[#back + 1] = chunk[k] end
      redis.call('RPUSH', KEYS[1], unpack(back))
      break
    end
    bytes = bytes + size
    if size > largest then largest = size end
    count = count + 1
    fresh = fresh + 1
    local lease = (base + fresh) .. ':1::' .. payload
    leases[2 * count - 1] = deadline
    leases[2 * count] = lease
    out[count] = lease
  end
  if got < want then break end
end
if count > 0 then
  redis.call('ZADD', KEYS[2], unpack(leases))
  if dueCount > 0 then redis.call('ZREM', KEYS[3], unpack(due)) end
  if fresh > 0 then redis.call('INCRBY', KEYS[4], fresh) end
end
return out
