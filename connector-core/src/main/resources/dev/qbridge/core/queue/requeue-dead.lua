-- requeue-dead: give dead letters another life as fresh jobs, oldest first.
-- KEYS[1] dead-letter list    KEYS[2] ready key (list or sorted set)
-- ARGV[1] 'reliable', 'priority' or 'delayed'    ARGV[2] max entries to requeue
-- ARGV[3] (optional) 'head' for a list whose consumers pop the head (its producers RPUSH): entries go onto the tail
-- Returns: the number of jobs requeued.
-- Invariant: an entry leaves the dead list in the same step that pushes its payload, unchanged, back to
-- the ready key (a list: LPUSH, like a new job, or RPUSH when consumers pop the head; a sorted set: with the score it had, so a priority job keeps
-- its priority and a delayed job is due at once). Attempt counts start over. An entry that qbridge did not
-- write (another tool's dead letter) is requeued whole, as its payload, with score 0.
-- Redis never rolls a script back: both keys are checked, and the entries read and pushed, before any
-- entry leaves the dead list.
unchanged = 'nothing was requeued'
local want = ARGV[1] == 'reliable' and 'list' or 'zset'
local bad = mustBe(KEYS[1], 'list', 'the dead letters of a queue') or mustBe(KEYS[2], want, 'a ' .. ARGV[1] .. ' queue')
if bad then return bad end
local max = tonumber(ARGV[2])
-- the oldest entries are at the tail; LRANGE gives them newest first, so walk each backwards
local entries = redis.call('LRANGE', KEYS[1], -max, -1)
if #entries == 0 then return 0 end
local list, zset = {}, {}
for i = #entries, 1, -1 do
  local entry = entries[i]
  local payload, score = entry, nil
  local a = string.find(entry, ':', 1, true)
  local b = a and string.find(entry, ':', a + 1, true)
  local c = b and string.find(entry, ':', b + 1, true)
  local d = c and string.find(entry, ':', c + 1, true)
  local e = d and string.find(entry, ':', d + 1, true)
  local reasonLength = e and tonumber(string.sub(entry, d + 1, e - 1))
  if reasonLength and tonumber(string.sub(entry, 1, a - 1)) and e + reasonLength <= #entry then
    score = string.sub(entry, b + 1, c - 1)
    payload = string.sub(entry, e + 1 + reasonLength)
  end
  if want == 'list' then
    list[#list + 1] = payload
  else
    local n = tonumber(score)
    if n == math.huge then score = 'inf' elseif n == -math.huge then score = '-inf'
    elseif n and n == n then score = string.format('%.17g', n) else score = '0' end
    zset[#zset + 1] = score
    zset[#zset + 1] = payload
  end
end
if want == 'list' and ARGV[3] == 'head' then
  redis.call('RPUSH', KEYS[2], unpack(list))
elseif want == 'list' then
  redis.call('LPUSH', KEYS[2], unpack(list))
else
  redis.call('ZADD', KEYS[2], unpack(zset))
end
redis.call('LTRIM', KEYS[1], 0, -(#entries + 1))
return #entries
