-- nack: end deliveries that failed, each either scheduled for retry or moved to the dead-letter list.
-- KEYS[1] leases zset    KEYS[2] retry zset    KEYS[3] dead-letter list
-- ARGV: triplets (lease member, delay in ms or -1 for dead-lettering, reason)
-- Returns: an array with, per triplet, 1 = scheduled for retry, 2 = dead-lettered, 0 = lease no longer
-- held (it expired and the job was requeued: the caller must not act on it again).
-- Invariant: a job leaves leases only in this same step that puts it into retry or dead; a lease that is
-- gone is never resurrected, so a late nack cannot duplicate a job that another consumer now holds.
-- Dead entry: "<id>:<attempt>:<score>:<failed at ms>:<reason length>:<reason><payload>".
-- Redis never rolls a script back: every key this script writes is checked before the first removal.
local bad = mustBe(KEYS[1], 'zset', 'the leases of a queue') or mustBe(KEYS[2], 'zset', 'the retries of a queue')
    or mustBe(KEYS[3], 'list', 'the dead letters of a queue')
if bad then return bad end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i = 1, #ARGV, 3 do
  local lease = ARGV[i]
  local delay = tonumber(ARGV[i + 1])
  if redis.call('ZREM', KEYS[1], lease) == 0 then
    out[#out + 1] = 0
  elseif delay >= 0 then
    redis.call('ZADD', KEYS[2], now + delay, lease)
    out[#out + 1] = 1
  else
    local a = string.find(lease, ':', 1, true)
    local b = string.find(lease, ':', a + 1, true)
    local c = string.find(lease, ':', b + 1, true)
    local reason = ARGV[i + 2]
    redis.call('LPUSH', KEYS[3], string.sub(lease, 1, c) .. now .. ':' .. #reason .. ':' .. reason .. string.sub(lease, c + 1))
    out[#out + 1] = 2
  end
end
return out
