-- take-sorted: move up to N jobs from a priority or delayed queue (a sorted set) into leases, atomically.
-- KEYS[1] ready zset    KEYS[2] leases zset    KEYS[3] retry zset    KEYS[4] id sequence
-- ARGV[1] max jobs (1..1000)    ARGV[2] lease duration, ms
-- ARGV[3] 'priority' (lowest score first, all jobs) or 'delayed' (only jobs whose score is due)
-- ARGV[4] for 'delayed': milliseconds per score unit (1000 when scores are epoch seconds, 1 for ms)
-- Returns: an array of lease members "<id>:<attempt>:<score>:<member>"; the original score is kept so
-- that a requeued job regains its priority or due time.
-- Invariant: as take-list; never a pop-and-lose (BZPOPMIN) step: the job moves into leases in this script.
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'zset' and kind ~= 'none' then
  return redis.error_reply('WRONGTYPE key ' .. KEYS[1] .. ' holds a ' .. kind .. ', a ' .. ARGV[3] .. ' queue must be a sorted set')
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
-- a string once, not a number that every ZADD argument would convert again
local deadline = tostring(now + tonumber(ARGV[2]))
local out = {}

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
if n > 0 and kind == 'zset' then
  local items
  if ARGV[3] == 'delayed' then
    local dueScore = string.format('%.3f', now / tonumber(ARGV[4]))
    items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', dueScore, 'WITHSCORES', 'LIMIT', 0, n)
  else
    items = redis.call('ZRANGE', KEYS[1], 0, n - 1, 'WITHSCORES')
  end
  local count = #items / 2
  if count > 0 then
    local base = redis.call('INCRBY', KEYS[4], count) - count
    local leases = {}
    local members = {}
    for i = 1, count do
      local member = items[2 * i - 1]
      local lease = (base + i) .. ':1:' .. items[2 * i] .. ':' .. member
      members[i] = member
      leases[2 * i - 1] = deadline
      leases[2 * i] = lease
      out[taken + i] = lease
    end
    redis.call('ZREM', KEYS[1], unpack(members))
    redis.call('ZADD', KEYS[2], unpack(leases))
  end
end
return out
