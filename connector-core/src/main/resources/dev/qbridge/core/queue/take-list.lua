-- take-list: move up to N jobs from a reliable queue (a list) into leases, in one atomic step.
-- KEYS[1] ready list (the guide's LPUSH target)    KEYS[2] leases zset (score = lease deadline, ms)
-- KEYS[3] retry zset (score = due time, ms)        KEYS[4] id sequence (string counter)
-- ARGV[1] max jobs to take (1..1000)               ARGV[2] lease duration, ms
-- Returns: an array of lease members "<id>:<attempt>:<score>:<payload>" (score is empty for lists).
-- Invariant: a job is always in exactly one of ready, retry or leases; each lease member is unique
-- (its id is unique, its attempt grows on every delivery), so a late ack can never remove a newer delivery.
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'list' and kind ~= 'none' then
  return redis.error_reply('WRONGTYPE key ' .. KEYS[1] .. ' holds a ' .. kind .. ', a reliable queue must be a list')
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
-- a string once, not a number that every ZADD argument would convert again
local deadline = tostring(now + tonumber(ARGV[2]))
local out = {}

-- jobs whose retry backoff has passed go first: they have waited longest
local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, max)
local taken = #due
if taken > 0 then
  local leases = {}
  for i, m in ipairs(due) do
    local a = string.find(m, ':', 1, true)
    local b = string.find(m, ':', a + 1, true)
    local lease = string.sub(m, 1, a) .. (tonumber(string.sub(m, a + 1, b - 1)) + 1) .. string.sub(m, b)
    leases[2 * i - 1] = deadline
    leases[2 * i] = lease
    out[i] = lease
  end
  redis.call('ZREM', KEYS[3], unpack(due))
  redis.call('ZADD', KEYS[2], unpack(leases))
end

local n = max - taken
if n > 0 and kind == 'list' then
  local jobs = redis.call('RPOP', KEYS[1], n)
  if jobs then
    local base = redis.call('INCRBY', KEYS[4], #jobs) - #jobs
    local leases = {}
    for i, payload in ipairs(jobs) do
      local lease = (base + i) .. ':1::' .. payload
      leases[2 * i - 1] = deadline
      leases[2 * i] = lease
      out[taken + i] = lease
    end
    redis.call('ZADD', KEYS[2], unpack(leases))
  end
end
return out
