-- reap: requeue jobs whose lease expired because their consumer died or hung.
-- KEYS[1] leases zset    KEYS[2] retry zset    KEYS[3] dead-letter list
-- ARGV[1] max leases to handle in this call    ARGV[2] max attempts (0 = unlimited)
-- Returns: {requeued, dead-lettered}
-- Invariant: an expired lease leaves leases in the same step that puts it into retry (due now, keeping its
-- attempt count, so a job that keeps killing its consumers ends in dead letters) or dead. Many reapers
-- may run at once: each expired lease is handled by exactly one call, never twice, never dropped.
-- Redis never rolls a script back: every key this script writes is checked before the first removal.
local bad = mustBe(KEYS[1], 'zset', 'the leases of a queue') or mustBe(KEYS[2], 'zset', 'the retries of a queue')
    or mustBe(KEYS[3], 'list', 'the dead letters of a queue')
if bad then return bad end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local maxAttempts = tonumber(ARGV[2])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
if #expired == 0 then return {0, 0} end
local requeued, dead = {}, {}
local at = tostring(now)
for i, lease in ipairs(expired) do
  local a = string.find(lease, ':', 1, true)
  local b = a and string.find(lease, ':', a + 1, true)
  local c = b and string.find(lease, ':', b + 1, true)
  local attempt = c and tonumber(string.sub(lease, a + 1, b - 1))
  if not attempt then
    -- not a member qbridge wrote: kept whole as the payload of a dead letter, never dropped, never looped on
    local reason = 'not a qbridge lease member (found in ' .. KEYS[1] .. ')'
    dead[#dead + 1] = '0:0::' .. now .. ':' .. #reason .. ':' .. reason .. lease
  elseif maxAttempts > 0 and attempt >= maxAttempts then
    local reason = 'lease expired on attempt ' .. attempt .. ' of ' .. maxAttempts .. ' (consumer died or hung)'
    dead[#dead + 1] = string.sub(lease, 1, c) .. now .. ':' .. #reason .. ':' .. reason .. string.sub(lease, c + 1)
  else
    requeued[#requeued + 1] = at
    requeued[#requeued + 1] = lease
  end
end
if #requeued > 0 then redis.call('ZADD', KEYS[2], unpack(requeued)) end
if #dead > 0 then redis.call('LPUSH', KEYS[3], unpack(dead)) end
redis.call('ZREM', KEYS[1], unpack(expired))
return {#requeued / 2, #dead}
