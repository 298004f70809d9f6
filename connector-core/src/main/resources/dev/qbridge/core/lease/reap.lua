-- reap: requeue jobs whose lease expired because their consumer died or hung.
-- KEYS[1] leases zset    KEYS[2] retry zset    KEYS[3] dead-letter list
-- ARGV[1] max leases to handle in this call    ARGV[2] max attempts (0 = unlimited)
-- Returns: {requeued, dead-lettered}
-- Invariant: an expired lease leaves leases in the same step that puts it into retry (due now, keeping its
-- attempt count, so a job that keeps killing its consumers ends in dead letters) or dead. Many reapers
-- may run at once: each expired lease is handled by exactly one call, never twice, never dropped.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local maxAttempts = tonumber(ARGV[2])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
if #expired == 0 then return {0, 0} end
local requeued, dead = {}, 0
local at = tostring(now)
for i, lease in ipairs(expired) do
  local a = string.find(lease, ':', 1, true)
  local b = string.find(lease, ':', a + 1, true)
  local attempt = tonumber(string.sub(lease, a + 1, b - 1))
  if maxAttempts > 0 and attempt >= maxAttempts then
    local c = string.find(lease, ':', b + 1, true)
    local reason = 'lease expired on attempt ' .. attempt .. ' of ' .. maxAttempts .. ' (consumer died or hung)'
    redis.call('LPUSH', KEYS[3], string.sub(lease, 1, c) .. now .. ':' .. #reason .. ':' .. reason .. string.sub(lease, c + 1))
    dead = dead + 1
  else
    local n = #requeued
    requeued[n + 1] = at
    requeued[n + 2] = lease
  end
end
redis.call('ZREM', KEYS[1], unpack(expired))
if #requeued > 0 then redis.call('ZADD', KEYS[2], unpack(requeued)) end
return {#requeued / 2, dead}
