-- purge-shared: remove one queue's members from a sorted set shared with other queues, a window at a time.
-- KEYS[1] the shared sorted set (Sidekiq's schedule, retry or dead)
-- ARGV[1] the top-level JSON field that names a member's queue    ARGV[2] this queue's name in it
-- ARGV[3] the rank to start reading at    ARGV[4] how many members to read (the window)
-- Returns: {removed, read}: members of this queue removed from the window, and members read (fewer than ARGV[4]
--   at the end of the set). The caller goes on at rank ARGV[3] + read - removed until a window reads fewer.
-- Invariant: only members that are JSON objects whose field ARGV[1] is the string ARGV[2] are removed (shared-set.lua's
--   queueFilter); others, and members that are no JSON object, are never touched.
unchanged = 'nothing was removed'
local ours = queueFilter(ARGV[1], ARGV[2])
local start = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local chunk, bad = read('ZRANGE', KEYS[1], 'zset', 'a set of several queues\' jobs', start, start + window - 1)
if bad then return bad end
local gone = {}
for _, m in ipairs(chunk) do
  if ours(m) then gone[#gone + 1] = m end
end
if #gone > 0 then redis.call('ZREM', KEYS[1], unpack(gone)) end
return {#gone, #chunk}
