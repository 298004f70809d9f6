-- push-priority: add jobs to a priority queue (a sorted set, lowest score taken first).
-- KEYS[1] priority zset    KEYS[2] id sequence
-- ARGV: pairs (integer priority, payload)
-- Returns: the number of jobs added; a payload already waiting in the set is not added twice (a sorted
-- set holds each member once) and keeps its place.
-- Invariant: FIFO among equal priorities: the score is the priority plus a fraction that grows with the
-- sequence, always below 1, so it never reorders jobs of different integer priorities, including
-- those that foreign producers wrote with plain ZADD.
-- Both keys are checked before anything is written (q:seq by INCRBY, the first write), so a failing call adds nothing.
unchanged = 'nothing was pushed'
local bad = mustBe(KEYS[1], 'zset', 'a priority queue')
if bad then return bad end
local count = #ARGV / 2
-- INCRBY is the first write: a q:seq it would refuse fails it before anything changed
local top
top, bad = write('INCRBY', KEYS[2], 'string', 'the job id counter of queue ' .. KEYS[1], count)
if bad then return bad end
local base = top - count
local added = 0
for i = 1, count do
  local fraction = ((base + i) % 2147483648) / 2147483648
  added = added + redis.call('ZADD', KEYS[1], 'NX', tonumber(ARGV[2 * i - 1]) + fraction, ARGV[2 * i])
end
return added
