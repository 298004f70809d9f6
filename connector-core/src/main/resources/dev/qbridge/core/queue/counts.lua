-- counts: the monitoring numbers of one queue, read in one round trip.
-- KEYS[1] ready key    KEYS[2] leases zset    KEYS[3] retry zset    KEYS[4] dead list
-- KEYS[5] guide-style processing list (filled by foreign BRPOPLPUSH consumers)    KEYS[6] reaped list
-- KEYS[7..] extra ready lists of a reliable queue (counted as ready)
-- ARGV[1] 'reliable', 'priority' or 'delayed'; ARGV[2] ms per score unit (delayed queues)
-- (A sorted set shared with other queues is counted as a whole here, by ZCARD; RedisQueue.counts counts this queue's
-- ready members in it with count-shared.lua, a window per call.)
-- Returns: {ready, in flight (leased), delayed (not yet due), retrying (the retry zset and the jobs the reaper
--           requeued), dead, held in the guide-style processing list}, or a WRONGTYPE error naming the first key of the queue that holds another type
--           (a processing list of another type is not the queue's: it counts 0).
-- Invariant: read only.
local want = ARGV[1] == 'reliable' and 'list' or 'zset'
local roles = {{KEYS[1], want, 'a ' .. ARGV[1] .. ' queue'}, {KEYS[2], 'zset', 'the leases of queue ' .. KEYS[1]},
  {KEYS[3], 'zset', 'the retries of queue ' .. KEYS[1]}, {KEYS[4], 'list', 'the dead letters of queue ' .. KEYS[1]},
  {KEYS[6], 'list', 'the reaped jobs of queue ' .. KEYS[1]}}
for i = 7, #KEYS do roles[#roles + 1] = {KEYS[i], 'list', 'an extra ready list of queue ' .. KEYS[1]} end
unchanged = 'nothing was counted'
for _, r in ipairs(roles) do
  local bad = mustBe(r[1], r[2], r[3])
  if bad then return bad end
end
local ready, delayed = 0, 0
if want == 'list' then
  ready = redis.call('LLEN', KEYS[1])
  for i = 7, #KEYS do ready = ready + redis.call('LLEN', KEYS[i]) end
elseif ARGV[1] == 'delayed' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local dueScore = string.format('%.3f', now / tonumber(ARGV[2]))
  ready = redis.call('ZCOUNT', KEYS[1], '-inf', dueScore)
  delayed = redis.call('ZCARD', KEYS[1]) - ready
else
  ready = redis.call('ZCARD', KEYS[1])
end
local processing = 0
if redis.call('TYPE', KEYS[5]).ok == 'list' then processing = redis.call('LLEN', KEYS[5]) end
return {ready, redis.call('ZCARD', KEYS[2]), delayed, redis.call('ZCARD', KEYS[3]) + redis.call('LLEN', KEYS[6]),
  redis.call('LLEN', KEYS[4]), processing}
