-- requeue-dead: give dead letters another life as fresh jobs, oldest first.
-- KEYS[1] dead-letter list    KEYS[2] ready key (list or sorted set)
-- ARGV[1] 'reliable', 'priority' or 'delayed'    ARGV[2] max entries to requeue
-- Returns: the number of jobs requeued.
-- Invariant: an entry leaves the dead list in the same step that pushes its payload, unchanged, back to
-- the ready key (a list: LPUSH, like a new job; a sorted set: with the score it had, so a priority job keeps
-- its priority and a delayed job is due at once). Attempt counts start over.
local readyKind = redis.call('TYPE', KEYS[2]).ok
local want = ARGV[1] == 'reliable' and 'list' or 'zset'
if readyKind ~= want and readyKind ~= 'none' then
  return redis.error_reply('WRONGTYPE key ' .. KEYS[2] .. ' holds a ' .. readyKind .. ', a ' .. ARGV[1] .. ' queue must be a ' .. want)
end
local max = tonumber(ARGV[2])
local moved = 0
while moved < max do
  local entry = redis.call('RPOP', KEYS[1])
  if not entry then break end
  local a = string.find(entry, ':', 1, true)
  local b = string.find(entry, ':', a + 1, true)
  local c = string.find(entry, ':', b + 1, true)
  local d = string.find(entry, ':', c + 1, true)
  local e = string.find(entry, ':', d + 1, true)
  local score = string.sub(entry, b + 1, c - 1)
  local reasonLength = tonumber(string.sub(entry, d + 1, e - 1))
  local payload = string.sub(entry, e + 1 + reasonLength)
  if want == 'list' then
    redis.call('LPUSH', KEYS[2], payload)
  else
    if score == '' then score = 0 end
    redis.call('ZADD', KEYS[2], score, payload)
  end
  moved = moved + 1
end
return moved
