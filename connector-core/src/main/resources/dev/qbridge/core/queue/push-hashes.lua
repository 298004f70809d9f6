-- push-hashes: push jobs kept as an id in a list and a hash of their own (RQ: the id in rq:queue:<q>, the job in
-- rq:job:<id>, the queue in the set rq:queues), as the system's client writes them, in one step: no worker can see
-- an id without its job.
-- KEYS[1] ready list, or a sorted set of ids (RQ's registries rq:scheduled:<q>, rq:failed:<q>)
-- KEYS[2] (optional) registry set
-- ARGV[1] the key prefix of job hashes    ARGV[2] the queue's member in the registry set (empty without one)
-- ARGV[3] 'head' when consumers take from the head (RQ's workers LPOP): ids are then pushed onto the tail (RPUSH),
--         in order; 'tail': onto the head (LPUSH); 'zset': KEYS[1] is a sorted set, each id added with its score
-- ARGV[4..] per job: its id, its score (a decimal; empty for a list), seconds until its hash expires (0: never), the
--           number n of fields, then n field-value pairs
-- Returns: {jobs pushed, then the ids not pushed because their hash already exists}.
-- Invariant: a hash that exists is never overwritten: its id is not pushed again (a redelivery of an at-least-once
-- move finds the job already there), and an id given twice in one call is pushed once. Nothing is written unless
-- every job can be: the list and the set are checked by reads (LLEN, SISMEMBER) and each hash by EXISTS before the
-- first write; a write refused after that (an ACL without a command or key) takes back what this call wrote
-- (the hashes it created, the ids it pushed) before the error is raised.
unchanged = 'nothing was pushed'
local q, prefix, member, head, zset = KEYS[1], ARGV[1], ARGV[2], ARGV[3] == 'head', ARGV[3] == 'zset'
local _, bad
if zset then
  _, bad = read('ZCARD', q, 'zset', 'a sorted set of job ids')
else
  _, bad = read('LLEN', q, 'list', 'a reliable queue')
end
if bad then return bad end
local listed = 1
if KEYS[2] then
  listed, bad = read('SISMEMBER', KEYS[2], 'set', 'the registry set of queue ' .. q, member)
  if bad then return bad end
end
-- ids: the ids to push, in order; for a sorted set, score and id pairs as ZADD takes them
local jobs, ids, skipped, seen = {}, {}, {}, {}
local i = 4
while i <= #ARGV do
  local id, score, ttl, n = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  local first = i + 4
  i = first + 2 * n
  -- an id already in the sorted set is skipped too: the ZADD then adds every id it is given, which an undo removes
  if seen[id] or redis.call('EXISTS', prefix .. id) == 1 or (zset and redis.call('ZSCORE', q, id)) then
    skipped[#skipped + 1] = id
  else
    seen[id] = true
    jobs[#jobs + 1] = {prefix .. id, ttl, first, i - 1}
    if zset then
      ids[#ids + 1] = score
      ids[#ids + 1] = id
    else
      ids[#ids + 1] = id
    end
  end
end
if #jobs == 0 then return {0, unpack(skipped)} end
-- what this call wrote, taken back when a later write is refused
local created, pushed = 0, false
local function undo(reply)
  if pushed and zset then
    local added = {}
    for k = 2, #ids, 2 do added[#added + 1] = ids[k] end
    redis.call('ZREM', q, unpack(added))
  elseif pushed then
    if head then redis.call('LTRIM', q, 0, -(#ids + 1)) else redis.call('LTRIM', q, #ids, -1) end
  end
  for k = 1, created do redis.call('DEL', jobs[k][1]) end
  -- raised as redis.call raises it: Redis 7 raises the error table, 6.2 its message (a table would read "(null)")
  if redis.REDIS_VERSION_NUM then error(reply) end
  error(reply.err)
end
for k = 1, #jobs do
  local job = jobs[k]
  local reply = redis.pcall('HSET', job[1], unpack(ARGV, job[3], job[4]))
  if type(reply) == 'table' and reply.err then return undo(reply) end
  created = k
  if job[2] ~= '0' then
    reply = redis.pcall('EXPIRE', job[1], job[2])
    if type(reply) == 'table' and reply.err then return undo(reply) end
  end
end
local reply
if zset then
  reply = redis.pcall('ZADD', q, unpack(ids))
elseif head then
  reply = redis.pcall('RPUSH', q, unpack(ids))
else
  reply = redis.pcall('LPUSH', q, unpack(ids))
end
if type(reply) == 'table' and reply.err then return undo(reply) end
pushed = true
if listed == 0 then
  reply = redis.pcall('SADD', KEYS[2], member)
  if type(reply) == 'table' and reply.err then return undo(reply) end
end
return {#jobs, unpack(skipped)}
