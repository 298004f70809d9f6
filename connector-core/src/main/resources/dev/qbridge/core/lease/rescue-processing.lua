-- rescue-processing: return jobs stuck in a guide-style "<queue>:processing" list to the ready list.
-- Foreign consumers (BRPOPLPUSH queue queue:processing, then LREM) record no lease, so this script notes
-- when it first saw each payload there and rescues those seen longer ago than the threshold.
-- KEYS[1] processing list    KEYS[2] first-seen hash (payload -> ms)    KEYS[3] ready list
-- ARGV[1] threshold, ms    ARGV[2] how many of the oldest entries (the tail) to inspect
-- Returns: {rescued, tracked}
-- Invariant: a rescued copy leaves processing in the same step that RPUSHes it back to the ready list's
-- tail (next to be taken), so it is never lost; one copy per payload per call, so identical payloads in
-- flight are never collapsed. A payload no longer in the list is forgotten.
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then
  redis.call('DEL', KEYS[2])
  return {0, 0}
end
if kind ~= 'list' then
  return redis.error_reply('WRONGTYPE key ' .. KEYS[1] .. ' holds a ' .. kind .. ', a processing list must be a list')
end
local readyKind = redis.call('TYPE', KEYS[3]).ok
if readyKind ~= 'list' and readyKind ~= 'none' then
  return redis.error_reply('WRONGTYPE key ' .. KEYS[3] .. ' holds a ' .. readyKind .. ', a reliable queue must be a list')
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local threshold = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local length = redis.call('LLEN', KEYS[1])
local items = redis.call('LRANGE', KEYS[1], -limit, -1)
local present = {}
for i, item in ipairs(items) do present[item] = (present[item] or 0) + 1 end
local rescued, tracked = 0, 0
for payload, copies in pairs(present) do
  local seen = redis.call('HGET', KEYS[2], payload)
  if not seen then
    redis.call('HSET', KEYS[2], payload, now)
    tracked = tracked + 1
  elseif now - tonumber(seen) >= threshold then
    redis.call('LREM', KEYS[1], -1, payload)
    redis.call('RPUSH', KEYS[3], payload)
    rescued = rescued + 1
    if copies > 1 then redis.call('HSET', KEYS[2], payload, now) else redis.call('HDEL', KEYS[2], payload) end
  else
    tracked = tracked + 1
  end
end
if length <= limit then
  for i, payload in ipairs(redis.call('HKEYS', KEYS[2])) do
    if not present[payload] then redis.call('HDEL', KEYS[2], payload) end
  end
end
return {rescued, tracked}
