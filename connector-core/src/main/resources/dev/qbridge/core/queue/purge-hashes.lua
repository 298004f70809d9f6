-- purge-hashes: delete every job of a queue whose jobs are ids with a hash each (RQ: rq:job:<id>): the queue's keys
-- and the hash of every id they hold, in every state.
-- KEYS[1] ready list or sorted set of ids   KEYS[2] leases zset   KEYS[3] retry zset   KEYS[4] reaped list
-- KEYS[5] dead list   KEYS[6..] the queue's other keys, deleted whatever they hold (processing, processing:seen)
-- ARGV[1] the key prefix of job hashes    ARGV[2] 'list' or 'zset': what the ready key is
-- Returns: {keys, hashes}: how many of KEYS existed, and how many job hashes were deleted.
-- Invariant: one script, so that no id outlives its hash and no hash its id: a purge that deleted the ids alone left
-- every job's hash behind for ever (RQ's hashes of queued jobs have no TTL). Every key is read before the first
-- delete (a key of another type refuses with nothing deleted). Only hashes are deleted under the prefix: a key of
-- another type at a job's name (a dead letter's reason may name one) is not the job's and is kept.
unchanged = 'nothing was purged'
local prefix = ARGV[1]
local ids = {}
local ready, bad
if ARGV[2] == 'zset' then
  ready, bad = read('ZRANGE', KEYS[1], 'zset', 'a sorted set of job ids', 0, -1)
else
  ready, bad = read('LRANGE', KEYS[1], 'list', 'a reliable queue', 0, -1)
end
if bad then return bad end
for _, id in ipairs(ready) do ids[#ids + 1] = id end
-- lease members, retries and reaped jobs: id:attempt:score:payload, the payload being the job's id
local function afterColons(member, n)
  local at = 0
  for _ = 1, n do
    at = string.find(member, ':', at + 1, true)
    if not at then return nil end
  end
  return at
end
local function addPayloads(members)
  for _, m in ipairs(members) do
    local c = afterColons(m, 3)
    if c then ids[#ids + 1] = string.sub(m, c + 1) end
  end
end
local members
members, bad = read('ZRANGE', KEYS[2], 'zset', 'the leases of a queue', 0, -1)
if bad then return bad end
addPayloads(members)
members, bad = read('ZRANGE', KEYS[3], 'zset', 'the retries of a queue', 0, -1)
if bad then return bad end
addPayloads(members)
members, bad = read('LRANGE', KEYS[4], 'list', 'the reaped jobs of a queue', 0, -1)
if bad then return bad end
addPayloads(members)
-- dead letters: id:attempt:score:failedAtMs:reasonLength:reason, then the payload
members, bad = read('LRANGE', KEYS[5], 'list', 'the dead letters of a queue', 0, -1)
if bad then return bad end
for _, m in ipairs(members) do
  local c = afterColons(m, 5)
  if c then
    local before = afterColons(m, 4)
    local reasonLength = tonumber(string.sub(m, before + 1, c - 1))
    if reasonLength then ids[#ids + 1] = string.sub(m, c + 1 + reasonLength) end
  end
end
local hashKeys, seen = {}, {}
for _, id in ipairs(ids) do
  local key = prefix .. id
  if not seen[key] then
    seen[key] = true
    if redis.call('TYPE', key).ok == 'hash' then hashKeys[#hashKeys + 1] = key end
  end
end
local existed = redis.call('DEL', unpack(KEYS))
for i = 1, #hashKeys, 1000 do
  redis.call('DEL', unpack(hashKeys, i, math.min(i + 999, #hashKeys)))
end
return {existed, #hashKeys}
