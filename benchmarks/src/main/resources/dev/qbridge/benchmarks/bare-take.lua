-- The bare lease-zset design's take: a yardstick for qbridge's take, not a feature (issue 12).
-- KEYS[1] ready list, KEYS[2] lease sorted set
-- ARGV[1] how many jobs at most, ARGV[2] the lease deadline (epoch ms) of every job taken
-- Returns the payloads taken, oldest first.
-- Invariant: a popped payload is in the lease set before the script ends (Redis runs it atomically), so a consumer
-- that dies holding it loses nothing; unlike qbridge there is no id, no attempt count and no dead letter, and two
-- equal payloads in flight collapse into one member (the benchmark's payloads are distinct).
local jobs = redis.call('RPOP', KEYS[1], ARGV[1])
if not jobs then
  return {}
end
local members = {}
for i = 1, #jobs do
  members[2 * i - 1] = ARGV[2]
  members[2 * i] = jobs[i]
end
redis.call('ZADD', KEYS[2], unpack(members))
return jobs
