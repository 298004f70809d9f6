-- renew: extend the leases of jobs still being worked on (the visibility timeout of long jobs).
-- KEYS[1] leases zset
-- ARGV[1] new lease duration from now, ms; ARGV[2..] lease members
-- Returns: an array with 1 per lease extended and 0 per lease no longer held (already requeued).
-- Invariant: a renewal never creates a lease, so renewing after a requeue cannot make two owners.
local bad = mustBe(KEYS[1], 'zset', 'the leases of a queue')
if bad then return bad end
local t = redis.call('TIME')
local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], 'XX', deadline, ARGV[i])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
