-- take-list: move up to N jobs from a reliable queue (a list) into leases, in one atomic step.
-- KEYS[1] ready list (the guide's LPUSH target)    KEYS[2] leases zset (score = lease deadline, ms)
-- KEYS[3] retry zset (score = due time, ms)        KEYS[4] id sequence (string counter)
-- ARGV[1] max jobs to take (1..1000)               ARGV[2] lease duration, ms
-- ARGV[3] byte budget: stop before a job would take the batch's payload bytes over it (the first job is
--         always taken, whatever its size), so that one call stays short however large the jobs are
-- Returns: an array of lease members "<id>:<attempt>:<score>:<payload>" (score is empty for lists).
-- Invariant: a job is always in exactly one of ready, retry or leases; each lease member is unique
-- (its id is unique, its attempt grows on every delivery), so a late ack can never remove a newer delivery.
-- Redis never rolls a script back: every key this script writes is checked before the first removal, and
-- jobs are read first and removed only once their leases can be written.

local function mustBe(key, want, role)
  local kind = redis.call('TYPE', key).ok
  if kind ~= want and kind ~= 'none' then
    return redis.error_reply('WRONGTYPE key ' .. key .. ' holds a ' .. kind .. ', but it must be ' .. role
        .. ' (a ' .. (want == 'zset' and 'sorted set' or want) .. '); nothing was taken')
  end
end
local function mustCount(key, role)
  local bad = mustBe(key, 'string', role)
  if bad then return bad end
  local value = redis.call('GET', key)
  if value and not (string.match(value, '^%-?%d+$') and #value < 19) then
    return redis.error_reply('WRONGTYPE key ' .. key .. ' holds a string that is not an integer, but it must be '
        .. role .. '; nothing was taken')
  end
end
local bad = mustBe(KEYS[1], 'list', 'a reliable queue') or mustBe(KEYS[2], 'zset', 'the leases of queue ' .. KEYS[1])
    or mustBe(KEYS[3], 'zset', 'the retries of queue ' .. KEYS[1]) or mustCount(KEYS[4], 'the job id counter of queue ' .. KEYS[1])
if bad then return bad end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
local budget = tonumber(ARGV[3])
-- a string once, not a number that every ZADD argument would convert again
local deadline = tostring(now + tonumber(ARGV[2]))
local out = {}
local leases = {}
local bytes = 0
local largest = 1

-- how many more jobs to read at once: what the budget leaves at the largest size seen so far, but never more
-- than four times what was already read, so that a run of unexpectedly large jobs costs one short read
local function nextChunk(taken)
  local left = math.floor((budget - bytes) / largest)
  return math.max(1, math.min(max - taken, left, 4 * taken))
end
local function fits(size, taken)
  return taken == 0 or bytes + size <= budget
end

-- jobs whose retry backoff has passed go first: they have waited longest
local due = {}
local full = false
while #due < max and not full do
  local chunk = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', #due, nextChunk(#due))
  for _, m in ipairs(chunk) do
    local size = #m
    if not fits(size, #due) then full = true break end
    bytes = bytes + size
    if size > largest then largest = size end
    due[#due + 1] = m
  end
  if #chunk == 0 then break end
end
for i, m in ipairs(due) do
  local a = string.find(m, ':', 1, true)
  local b = string.find(m, ':', a + 1, true)
  local lease = string.sub(m, 1, a) .. (tonumber(string.sub(m, a + 1, b - 1)) + 1) .. string.sub(m, b)
  leases[2 * i - 1] = deadline
  leases[2 * i] = lease
  out[i] = lease
end
local taken = #due

-- then ready jobs from the tail (FIFO with LPUSH producers), read in chunks and trimmed once leased
local jobs = {}
while taken + #jobs < max and not full do
  local from = #jobs
  local n = nextChunk(taken + from)
  -- LRANGE of negative indexes walks from the tail: elements come head first, so read each chunk backwards
  local chunk = redis.call('LRANGE', KEYS[1], -(from + n), -(from + 1))
  for i = #chunk, 1, -1 do
    local size = #chunk[i]
    if not fits(size, taken + #jobs) then full = true break end
    bytes = bytes + size
    if size > largest then largest = size end
    jobs[#jobs + 1] = chunk[i]
  end
  if #chunk < n then break end
end
if #jobs > 0 then
  local base = redis.call('INCRBY', KEYS[4], #jobs) - #jobs
  for i, payload in ipairs(jobs) do
    local lease = (base + i) .. ':1::' .. payload
    leases[2 * (taken + i) - 1] = deadline
    leases[2 * (taken + i)] = lease
    out[taken + i] = lease
  end
end
if #out > 0 then
  redis.call('ZADD', KEYS[2], unpack(leases))
  if taken > 0 then redis.call('ZREM', KEYS[3], unpack(due)) end
  if #jobs > 0 then redis.call('LTRIM', KEYS[1], 0, -(#jobs + 1)) end
end
return out
