-- The bare lease-zset design's reaper: a yardstick for qbridge's Reaper, not a feature (issue 12).
-- KEYS[1] lease sorted set, KEYS[2] ready list
-- ARGV[1] now (epoch ms): leases with a deadline at or before it have expired; ARGV[2] how many at most per call
-- Returns how many expired payloads went back to the ready list.
-- Invariant: a payload leaves the lease set only in the same atomic call that puts it back on the ready list, at
-- the end RPOP takes from next; no attempt is counted and nothing is ever dead-lettered.
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #expired == 0 then
  return 0
end
redis.call('ZREM', KEYS[1], unpack(expired))
redis.call('RPUSH', KEYS[2], unpack(expired))
return #expired
