-- requeue-dead: give dead letters another life, oldest first, by moving their payloads back to the ready key.
-- KEYS[1] dead-letter list    KEYS[2] ready key (list or sorted set)
-- ARGV[1] max entries to move in this call    ARGV[2] 'reliable', 'priority' or 'delayed'
-- ARGV[3] ms per score unit (delayed queues)
-- Returns: {moved, left in the dead-letter list}
-- Invariant: an entry leaves the dead-letter list in the same step that puts its payload into the ready key,
-- so an interrupted requeue neither loses nor doubles a job. A reliable job is pushed to the tail (taken next);
-- a priority job keeps its score; a delayed job is due now. Entry form (docs/PROTOCOL.md):
-- "<id>:<attempt>:<score>:<failed at ms>:<reason length>:<reason><payload>".
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local moved = 0
for n = 1, tonumber(ARGV[1]) do
  local entry = redis.call('RPOP', KEYS[1])
  if not entry then break end
  local c1 = string.find(entry, ':', 1, true)
  local c2 = string.find(entry, ':', c1 + 1, true)
  local c3 = string.find(entry, ':', c2 + 1, true)
  local c4 = string.find(entry, ':', c3 + 1, true)
  local c5 = string.find(entry, ':', c4 + 1, true)
  local score = string.sub(entry, c2 + 1, c3 - 1)
  local reasonLength = tonumber(string.sub(entry, c4 + 1, c5 - 1))
  local payload = string.sub(entry, c5 + 1 + reasonLength)
  if ARGV[2] == 'reliable' then
    redis.call('RPUSH', KEYS[2], payload)
  elseif ARGV[2] == 'priority' then
    if score == '' then score = '0' end
    redis.call('ZADD', KEYS[2], score, payload)
  else
    redis.call('ZADD', KEYS[2], string.format('%.3f', now / tonumber(ARGV[3])), payload)
  end
  moved = moved + 1
end
return {moved, redis.call('LLEN', KEYS[1])}
