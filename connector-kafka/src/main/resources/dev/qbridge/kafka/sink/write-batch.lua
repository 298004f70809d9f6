-- write-batch: push a batch of Kafka records into one queue AND store their partitions' offsets, in one
-- atomic step, so a record is written exactly once however often Kafka delivers it again.
-- KEYS[1] the queue's ready key (list for reliable, sorted set for priority and delayed)
-- KEYS[2] the queue's id sequence (used for FIFO order among equal priorities, as push-priority does)
-- KEYS[3] the offsets hash "<queue>:qbridge:sink-offsets:<connector>", field "topic/partition" -> next offset
-- KEYS[4] a job system's set of its queues (Sidekiq's "queues"), when ARGV[4] names a member to add to it
-- KEYS[5 ..] a reliable queue's further ready lists (Celery's priority lists)
-- ARGV[1] kind: 'reliable', 'priority' or 'delayed'
-- ARGV[2] milliseconds per score unit of a delayed queue (1000: epoch seconds, 1: epoch ms)
-- ARGV[3] P, the number of partitions in this batch
-- ARGV[4] the member to add to KEYS[4] with the jobs ('' for none): the queue's name in its system
-- ARGV[5 .. 4+2P] pairs (field "topic/partition", next offset after this batch's last record of it)
-- ARGV[5+2P ..] quadruples (partition index 1..P, record offset, score, payload); score is '' (reliable: the ready
--   list KEYS[1]) or 'L<n>' (reliable: the n-th further list, KEYS[4+n]), an integer priority, or 'at<ms>' /
--   'in<ms>' (delayed: a due time, or a delay from Redis's clock) / 's<score>' (delayed: the score itself, in the
--   queue's unit, for a time finer than a millisecond such as Sidekiq's float seconds)
-- Returns: {written, skipped}: records pushed, and records skipped because their offset was below the one
--   already stored (Kafka delivered them again after a crash or rebalance).
-- Invariant: for every partition, the stored offset is one past the last record this connector has written
-- (or deliberately passed over, such as a bad record sent to the dead letter queue); a record whose offset is
-- below it is never written again, and jobs and offsets change together or not at all. Redis never rolls a
-- script back, so every key this script writes is checked (type, and the counter's value) before the first write,
-- and a failing call writes nothing. Hash fields go 1,000 at a time through unpack, whose limit is about 8,000.
unchanged = 'nothing was written'
local kind = ARGV[1]
local bad = mustBe(KEYS[1], kind == 'reliable' and 'list' or 'zset', 'a ' .. kind .. ' queue')
    or mustBe(KEYS[3], 'hash', 'the offsets of a sink connector writing queue ' .. KEYS[1])
local member = ARGV[4]
if not bad and member ~= '' then
  bad = mustBe(KEYS[4], 'set', 'the set of queues of the job system queue ' .. KEYS[1] .. ' belongs to')
end
for k = 5, #KEYS do
  bad = bad or mustBe(KEYS[k], 'list', 'a further ready list of queue ' .. KEYS[1])
end
if not bad and kind == 'priority' then
  local _
  _, bad = readCount(KEYS[2], 'the job id counter of queue ' .. KEYS[1])
end
if bad then return bad end

local unit = tonumber(ARGV[2])
local p = tonumber(ARGV[3])
local fields = {}
local nexts = {}
for i = 1, p do
  fields[i] = ARGV[3 + 2 * i]
  nexts[i] = tonumber(ARGV[4 + 2 * i])
end
local stored = {}
for from = 1, p, 1000 do
  local got = redis.call('HMGET', KEYS[3], unpack(fields, from, math.min(from + 999, p)))
  for i = 1, #got do
    stored[#stored + 1] = got[i]
  end
end
local floor = {}
for i = 1, p do
  floor[i] = tonumber(stored[i]) or -1
end

local first = 5 + 2 * p
local written = 0
local skipped = 0
-- payloads per target list, pushed 500 at a time: lists[1] for KEYS[1], lists[1 + n] for KEYS[4 + n]
local lists = {{}}
local now = nil
local base = nil
if kind == 'priority' then
  local count = (#ARGV - first + 1) / 4
  base = redis.call('INCRBY', KEYS[2], count) - count
end
local n = 0
for i = first, #ARGV, 4 do
  n = n + 1
  local part = tonumber(ARGV[i])
  if tonumber(ARGV[i + 1]) < floor[part] then
    skipped = skipped + 1
  else
    written = written + 1
    local score = ARGV[i + 2]
    local payload = ARGV[i + 3]
    if kind == 'reliable' then
      local target = 1
      if score ~= '' then target = 1 + tonumber(string.sub(score, 2)) end
      local list = lists[target]
      if not list then list = {} lists[target] = list end
      list[#list + 1] = payload
      if #list == 500 then
        redis.call('LPUSH', target == 1 and KEYS[1] or KEYS[3 + target], unpack(list))
        lists[target] = {}
      end
    elseif kind == 'priority' then
      local fraction = ((base + n) % 2147483648) / 2147483648
      redis.call('ZADD', KEYS[1], 'NX', tonumber(score) + fraction, payload)
    else
      if now == nil then
        local t = redis.call('TIME')
        now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      end
      local s
      if string.sub(score, 1, 1) == 's' then
        s = string.sub(score, 2)
      else
        local due = tonumber(string.sub(score, 3))
        if string.sub(score, 1, 2) == 'in' then due = now + due end
        s = due
        if unit ~= 1 then s = string.format('%.3f', due / unit) end
      end
      redis.call('ZADD', KEYS[1], 'NX', s, payload)
    end
  end
end
for target, list in pairs(lists) do
  if #list > 0 then
    redis.call('LPUSH', target == 1 and KEYS[1] or KEYS[3 + target], unpack(list))
  end
end
if member ~= '' and written > 0 then
  redis.call('SADD', KEYS[4], member)
end

local update = {}
for i = 1, p do
  if nexts[i] > floor[i] then
    update[#update + 1] = fields[i]
    update[#update + 1] = ARGV[4 + 2 * i] -- the caller's digits: a Lua number could print as 1e+15
    if #update == 2000 then
      redis.call('HSET', KEYS[3], unpack(update))
      update = {}
    end
  end
end
if #update > 0 then
  redis.call('HSET', KEYS[3], unpack(update))
end
return {written, skipped}
