-- push-delayed: schedule jobs on a delayed queue (a sorted set, score = due time).
-- KEYS[1] delayed zset
-- ARGV[1] milliseconds per score unit (1000: scores are epoch seconds, as the guide's time.time(); 1: ms)
-- ARGV[2..]: triplets ('at' or 'in', milliseconds, payload): 'at' an absolute due time in epoch ms,
-- 'in' a delay from the Redis server's clock (so producers with skewed clocks agree); or ('score', the score in
-- the queue's unit as a decimal, payload): a due time finer than a millisecond, kept to the digit (a job system's
-- own time, such as Sidekiq's float seconds).
-- Returns: the number of jobs added; a payload already scheduled keeps its first due time.
unchanged = 'nothing was pushed'
local bad = mustBe(KEYS[1], 'zset', 'a delayed queue')
if bad then return bad end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local unit = tonumber(ARGV[1])
local added = 0
for i = 2, #ARGV, 3 do
  local score
  if ARGV[i] == 'score' then
    score = ARGV[i + 1]
  else
    local due = tonumber(ARGV[i + 1])
    if ARGV[i] == 'in' then due = now + due end
    score = due
    if unit ~= 1 then score = string.format('%.3f', due / unit) end
  end
  added = added + redis.call('ZADD', KEYS[1], 'NX', score, ARGV[i + 2])
end
return added
