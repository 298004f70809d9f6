-- counts: the monitoring numbers of one queue, read in one round trip.
-- KEYS[1] ready key    KEYS[2] leases zset    KEYS[3] retry zset    KEYS[4] dead list
-- KEYS[5] guide-style processing list (filled by foreign BRPOPLPUSH consumers)
-- ARGV[1] 'reliable', 'priority' or 'delayed'; ARGV[2] ms per score unit (delayed queues)
-- Returns: {type of the ready key, ready, in flight (leased), delayed (not yet due), retrying, dead,
--           held in the guide-style processing list}
-- Invariant: read only.
local kind = redis.call('TYPE', KEYS[1]).ok
local ready, delayed = 0, 0
if kind == 'list' then
  ready = redis.call('LLEN', KEYS[1])
elseif kind == 'zset' then
  if ARGV[1] == 'delayed' then
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local dueScore = string.format('%.3f', now / tonumber(ARGV[2]))
    ready = redis.call('ZCOUNT', KEYS[1], '-inf', dueScore)
    delayed = redis.call('ZCARD', KEYS[1]) - ready
  else
    ready = redis.call('ZCARD', KEYS[1])
  end
end
local processing = 0
if redis.call('TYPE', KEYS[5]).ok == 'list' then processing = redis.call('LLEN', KEYS[5]) end
local dead = 0
if redis.call('TYPE', KEYS[4]).ok == 'list' then dead = redis.call('LLEN', KEYS[4]) end
return {kind, ready, redis.call('ZCARD', KEYS[2]), delayed, redis.call('ZCARD', KEYS[3]), dead, processing}
