-- ack-hashes: end deliveries of a queue whose jobs are ids with a hash each (RQ: rq:job:<id>): the job is done, so its
-- lease and its hash go together.
-- KEYS[1] leases zset
-- ARGV[1] the key prefix of job hashes (the hash of job id X is <prefix>X), then the lease members to ack
-- Returns: how many of the members were still leased (acked).
-- Invariant: a hash is deleted only with a lease this call removes. A late ack (the lease expired, the id went back
-- to the queue and perhaps to another consumer) finds no lease and leaves the hash, which the id's next delivery
-- needs. Each member is looked up first (ZSCORE, which also checks the leases' type before any change); the DEL of
-- the hashes is the first write, so a refusal of it (an ACL without the job keys) changes nothing; the ZREM of the
-- leases follows.
unchanged = 'nothing was acked'
local leases, prefix = KEYS[1], ARGV[1]
local held, hashKeys = {}, {}
for i = 2, #ARGV do
  local member = ARGV[i]
  local score, bad = read('ZSCORE', leases, 'zset', 'the leases of a queue', member)
  if bad then return bad end
  if score then
    local a = string.find(member, ':', 1, true)
    local c = a and string.find(member, ':', string.find(member, ':', a + 1, true) + 1, true)
    held[#held + 1] = member
    if c then hashKeys[#hashKeys + 1] = prefix .. string.sub(member, c + 1) end
  end
end
if #held == 0 then return 0 end
if #hashKeys > 0 then redis.call('DEL', unpack(hashKeys)) end
redis.call('ZREM', leases, unpack(held))
return #held
