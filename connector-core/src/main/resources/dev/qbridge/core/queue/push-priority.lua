-- push-priority: add jobs to a priority queue (a sorted set, lowest score taken first).
-- KEYS[1] priority zset    KEYS[2] id sequence
-- ARGV: pairs (integer priority, payload)
-- Returns: the number of jobs added; a payload already waiting in the set is not added twice (a sorted
-- set holds each member once) and keeps its place.
-- Invariant: FIFO among equal priorities: the score is the priority plus a fraction that grows with the
-- sequence, always below 1, so it never reorders jobs of different integer priorities, including
-- those that foreign producers wrote with plain ZADD.
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'zset' and kind ~= 'none' then
  return redis.error_reply('WRONGTYPE key ' .. KEYS[1] .. ' holds a ' .. kind .. ', a priority queue must be a sorted set')
end
local count = #ARGV / 2
local base = redis.call('INCRBY', KEYS[2], count) - count
local added = 0
for i = 1, count do
  local fraction = ((base + i) % 2147483648) / 2147483648
  added = added + redis.call('ZADD', KEYS[1], 'NX', tonumber(ARGV[2 * i - 1]) + fraction, ARGV[2 * i])
end
return added
