--[[
  Adds one job to a BullMQ queue as BullMQ 6.7.6's own add scripts do (addStandardJob, addPrioritizedJob,
  addDelayedJob with storeJob, addJobInTargetList, addJobWithPriority, getPriorityScore, getDelayedScore,
  addDelayMarkerIfNeeded, getOrSetMaxEvents), or into its failed set, so that a BullMQ worker never sees an id
  without its job and is woken as for a job its own client added.

  KEYS[1] wait        KEYS[2] meta         KEYS[3] id (the job counter)   KEYS[4] prioritized
  KEYS[5] pc          KEYS[6] delayed      KEYS[7] failed                 KEYS[8] active
  KEYS[9] events      KEYS[10] marker
  ARGV[1] key prefix of the queue's jobs (bull:<q>:)
  ARGV[2] set: ready, scheduled or dead
  ARGV[3] the job's id, or "" for the counter's next id (as Queue.add without jobId)
  ARGV[4] lifo: "1" to RPUSH (opts.lifo), else LPUSH
  ARGV[5] for scheduled the due time, for dead the failure time, in milliseconds; else ""
  ARGV[6..] the hash: field, value, ... with name, data, opts, timestamp, delay, priority first (storeJob's order)

  Returns the job's id. An id whose hash exists is a job already there (a redelivery of an at-least-once move, or
  another job of that id): nothing of it is written, and the id is returned with a "duplicated" event, as BullMQ's
  handleDuplicatedJob does. A key of the wrong type is refused before the first write.
  Invariant: the hash is written before its id enters wait, prioritized, delayed or failed, in the same script.
]]
local rcall = redis.call
local kinds = {"list", "hash", "string", "zset", "string", "zset", "zset", "list", "stream", "zset"}
for i, kind in ipairs(kinds) do
  local t = rcall("TYPE", KEYS[i])["ok"]
  if t ~= "none" and t ~= kind then
    return redis.error_reply("WRONGTYPE " .. KEYS[i] .. " is a " .. t .. ", not the " .. kind .. " BullMQ keeps there")
  end
end
local set = ARGV[2]
local fields = {}
local priority = 0
local name = ""
for i = 6, #ARGV, 2 do
  fields[#fields + 1] = ARGV[i]
  fields[#fields + 1] = ARGV[i + 1]
  if ARGV[i] == "priority" then priority = tonumber(ARGV[i + 1]) or 0 end
  if ARGV[i] == "name" then name = ARGV[i + 1] end
end

-- getOrSetMaxEvents
local maxEvents = rcall("HGET", KEYS[2], "opts.maxLenEvents")
if not maxEvents then
  maxEvents = 10000
  rcall("HSET", KEYS[2], "opts.maxLenEvents", maxEvents)
end

-- BullMQ increments the counter for every job, with a custom id too
local jobCounter = rcall("INCR", KEYS[3])
local jobId = ARGV[3]
if jobId == "" then
  jobId = jobCounter .. ""
end
local jobKey = ARGV[1] .. jobId
if rcall("EXISTS", jobKey) == 1 then
  rcall("XADD", KEYS[9], "MAXLEN", "~", maxEvents, "*", "event", "duplicated", "jobId", jobId)
  return jobId
end

-- storeJob
rcall("HMSET", jobKey, unpack(fields))
rcall("XADD", KEYS[9], "*", "event", "added", "jobId", jobId, "name", name)

if set == "dead" then
  rcall("ZADD", KEYS[7], ARGV[5], jobId)
  return jobId
end

if set == "scheduled" then
  -- getDelayedScore: the due millisecond times 0x1000, plus the place among the jobs due that millisecond
  local delayedTimestamp = tonumber(ARGV[5])
  local minScore = delayedTimestamp * 0x1000
  local maxScore = (delayedTimestamp + 1) * 0x1000 - 1
  local score = minScore
  local last = rcall("ZREVRANGEBYSCORE", KEYS[6], maxScore, minScore, "WITHSCORES", "LIMIT", 0, 1)
  local lastScore = tonumber(last[2])
  if lastScore ~= nil then
    score = lastScore >= maxScore and maxScore or lastScore + 1
  end
  rcall("ZADD", KEYS[6], score, jobId)
  rcall("XADD", KEYS[9], "MAXLEN", "~", maxEvents, "*", "event", "delayed", "jobId", jobId,
    "delay", delayedTimestamp)
  -- addDelayMarkerIfNeeded: the marker holds the next due time, so a blocked worker wakes then
  local next = rcall("ZRANGE", KEYS[6], 0, 0, "WITHSCORES")
  local nextScore = tonumber(next[2])
  if nextScore ~= nil then
    rcall("ZADD", KEYS[10], nextScore / 0x1000, "1")
  end
  return jobId
end

-- isQueuePausedOrMaxed: a paused (or maxed) queue keeps its jobs in wait and gets no marker
local meta = rcall("HMGET", KEYS[2], "paused", "concurrency")
local pausedOrMaxed = false
if meta[1] then
  pausedOrMaxed = true
elseif meta[2] then
  pausedOrMaxed = rcall("LLEN", KEYS[8]) >= tonumber(meta[2])
end

if priority > 0 then
  -- getPriorityScore: priority first, then the order of adding
  local counter = rcall("INCR", KEYS[5])
  rcall("ZADD", KEYS[4], priority * 0x100000000 + counter % 0x100000000, jobId)
else
  rcall(ARGV[4] == "1" and "RPUSH" or "LPUSH", KEYS[1], jobId)
end
-- addBaseMarkerIfNeeded
if not pausedOrMaxed then
  rcall("ZADD", KEYS[10], 0, "0")
end
rcall("XADD", KEYS[9], "MAXLEN", "~", maxEvents, "*", "event", "waiting", "jobId", jobId)
return jobId
