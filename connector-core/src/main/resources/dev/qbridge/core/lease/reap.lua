-- reap: requeue jobs whose lease expired because their consumer died or hung.
-- KEYS[1] leases zset    KEYS[2] reaped list (q:reaped)    KEYS[3] dead-letter list
-- ARGV[1] max leases to handle in this call    ARGV[2] max attempts (0 = unlimited)
-- Returns: {requeued, dead-lettered}
-- Invariant: an expired lease leaves leases in the same step that puts it, unchanged (so it keeps its attempt
-- count, and a job that keeps killing its consumers ends in dead letters), at the tail of the reaped list, which
-- both take scripts serve first; or into dead. Many reapers may run at once: each expired lease is handled by
-- exactly one call, never twice, never dropped.
-- Why a list and not the retry zset (as before issue 12): a requeued job is due now, so it needs no score; an
-- RPUSH of 1,000 members costs a fraction of a ZADD of them (no skiplist inserts), and take then pops them
-- without a ZRANGEBYSCORE + ZREM.
-- Redis never rolls a script back: every key this script writes is checked before the first removal.
unchanged = 'nothing was reaped'
local bad = mustBe(KEYS[2], 'list', 'the reaped jobs of a queue') or mustBe(KEYS[3], 'list', 'the dead letters of a queue')
if bad then return bad end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- attempts are compared as decimal strings without leading zeros (as take writes them): a tonumber per lease
-- cost more than the rest of this loop (callgrind)
local maxAttempts = ARGV[2]
local unlimited, maxLength = tonumber(maxAttempts) == 0, #maxAttempts
local expired
expired, bad = read('ZRANGEBYSCORE', KEYS[1], 'zset', 'the leases of a queue', '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
if bad then return bad end
if #expired == 0 then return {0, 0} end
local dead, deadAt, d = {}, {}, 0
for i = 1, #expired do
  local lease = expired[i]
  -- one pattern match per lease, not three finds and a sub: this loop is most of the reaper's own cost
  local _, c, attempt = string.find(lease, '^%d+:([1-9]%d*):[^:]*:')
  if not attempt then
    -- not a member qbridge wrote: kept whole as the payload of a dead letter, never dropped, never looped on
    local reason = 'not a qbridge lease member (found in ' .. KEYS[1] .. ')'
    d = d + 1
    dead[d] = '0:0::' .. now .. ':' .. #reason .. ':' .. reason .. lease
    deadAt[i] = true
  elseif not unlimited and (#attempt > maxLength or (#attempt == maxLength and attempt >= maxAttempts)) then
    local reason = 'lease expired on attempt ' .. attempt .. ' of ' .. maxAttempts .. ' (consumer died or hung)'
    d = d + 1
    dead[d] = string.sub(lease, 1, c) .. now .. ':' .. #reason .. ':' .. reason .. string.sub(lease, c + 1)
    deadAt[i] = true
  end
end
-- usually none is dead: then the expired members are requeued as read, without a copy of the list
local requeued = expired
if d > 0 then
  requeued = {}
  for i = 1, #expired do
    if not deadAt[i] then requeued[#requeued + 1] = expired[i] end
  end
end
if #requeued > 0 then redis.call('RPUSH', KEYS[2], unpack(requeued)) end
if d > 0 then redis.call('LPUSH', KEYS[3], unpack(dead)) end
-- the expired leases are the lowest ranks, read from rank 0 in this script: removed by rank, not as 1,000 arguments
-- (each one a new string object and a lookup by member: ZREM cost ~1,800 of ~9,700 instructions per lease)
redis.call('ZREMRANGEBYRANK', KEYS[1], '0', string.format('%d', #expired - 1))
return {#requeued, d}
