-- rescue-processing: return jobs stuck in a guide-style "<queue>:processing" list to the ready list.
-- Foreign consumers (BRPOPLPUSH queue queue:processing, then LREM) record no lease, so this script keeps a
-- clock per copy of each payload it sees there and rescues the copies seen longer ago than the threshold.
-- KEYS[1] processing list    KEYS[2] first-seen hash (payload -> "t1,t2,...": one clock per copy, ms,
--                            oldest first)    KEYS[3] ready list
-- ARGV[1] threshold, ms    ARGV[2] how many of the oldest entries (the tail) to inspect
-- Returns: {rescued, tracked}
-- Invariant: a rescued copy leaves processing in the same step that RPUSHes it back to the ready list's
-- tail (next to be taken), so it is never lost. Every copy's clock starts when a pass first sees it: a
-- payload that left the inspected window is forgotten at once, a copy beyond those already tracked gets a
-- clock of its own, and when copies leave, the oldest clocks go with them, so a copy is never rescued before
-- it was seen for the threshold. (A copy acked and an identical one taken between two passes cannot be told
-- apart from the list: the guide's value-based LREM leaves no trace; passes a few seconds apart keep that rare.)
unchanged = 'nothing was rescued'
local bad = mustBe(KEYS[1], 'list', 'a guide-style processing list') or mustBe(KEYS[2], 'hash', 'the rescue clocks of '
    .. KEYS[1]) or mustBe(KEYS[3], 'list', 'a reliable queue')
if bad then return bad end
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2])
  return {0, 0}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local threshold = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local present = {}
for _, item in ipairs(redis.call('LRANGE', KEYS[1], -limit, -1)) do present[item] = (present[item] or 0) + 1 end
for _, payload in ipairs(redis.call('HKEYS', KEYS[2])) do
  if not present[payload] then redis.call('HDEL', KEYS[2], payload) end
end
local rescued, tracked = 0, 0
for payload, copies in pairs(present) do
  local clocks = {}
  local stored = redis.call('HGET', KEYS[2], payload)
  if stored then
    for clock in string.gmatch(stored, '%d+') do clocks[#clocks + 1] = tonumber(clock) end
  end
  while #clocks > copies do table.remove(clocks, 1) end
  while #clocks < copies do clocks[#clocks + 1] = now end
  local expired = 0
  while expired < #clocks and now - clocks[expired + 1] >= threshold do expired = expired + 1 end
  if expired > 0 then
    redis.call('LREM', KEYS[1], -expired, payload)
    local copiesBack = {}
    for i = 1, expired do
      copiesBack[#copiesBack + 1] = payload
      if #copiesBack == 1000 or i == expired then
        redis.call('RPUSH', KEYS[3], unpack(copiesBack))
        copiesBack = {}
      end
    end
    rescued = rescued + expired
  end
  local kept = {}
  for i = expired + 1, #clocks do kept[#kept + 1] = string.format('%d', clocks[i]) end
  tracked = tracked + #kept
  if #kept > 0 then redis.call('HSET', KEYS[2], payload, table.concat(kept, ',')) else redis.call('HDEL', KEYS[2], payload) end
end
return {rescued, tracked}
