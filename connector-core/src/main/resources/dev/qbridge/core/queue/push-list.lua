-- push-list: push jobs to a reliable queue and add the queue to a registry set, in one step (for a queue whose job
-- system lists its queues in a set, as Sidekiq's client does: LPUSH queue:<q> + SADD queues <q>).
-- KEYS[1] ready list    KEYS[2] registry set
-- ARGV[1] the queue's member in the set, then the payloads, pushed in order (LPUSH: the first is taken first)
-- Returns: the number of jobs pushed.
-- Invariant: the jobs and the member are written together or not at all. The set is checked by SISMEMBER, its
-- first touch, the list by LPUSH, the first write (a command that fails changes nothing); the SADD that follows,
-- only when the member is missing, cannot fail on a type, and if it is refused all the same (an ACL without SADD)
-- the jobs come off the head again (LTRIM) before the error is raised.
unchanged = 'nothing was pushed'
local setRole = 'the registry set of queue ' .. KEYS[1]
local listed, bad = read('SISMEMBER', KEYS[2], 'set', setRole, ARGV[1])
if bad then return bad end
local n = #ARGV - 1
local _
_, bad = write('LPUSH', KEYS[1], 'list', 'a reliable queue', unpack(ARGV, 2))
if bad then return bad end
if listed == 0 then
  -- SISMEMBER checked the set's type: only a refusal of SADD itself (an ACL without it) can fail it
  local reply = redis.pcall('SADD', KEYS[2], ARGV[1])
  if type(reply) == 'table' then
    redis.call('LTRIM', KEYS[1], n, -1) -- the jobs this call pushed, off the head again
    -- raised as redis.call raises it: Redis 7 raises the error table, 6.2 its message (a table would read "(null)")
    if redis.REDIS_VERSION_NUM then error(reply) end
    error(reply.err)
  end
end
return n
