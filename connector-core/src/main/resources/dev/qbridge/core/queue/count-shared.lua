-- count-shared: how many of a window of a sorted set shared with other queues are one queue's, read only.
-- KEYS[1] the shared sorted set (Sidekiq's schedule, retry or dead)
-- ARGV[1] the top-level JSON field that names a member's queue    ARGV[2] this queue's name in it
-- ARGV[3] the rank to start reading at    ARGV[4] how many members to read (the window)
-- Returns: {this queue's members in the window (shared-set.lua's queueFilter), members read (fewer than ARGV[4] at
--   the end of the set)}. The caller sums windows from rank 0 until one reads fewer: each call decodes at most a
--   window, so that counting a large set never stalls the Redis other clients share (one script over 100,000
--   Sidekiq jobs takes ~180 ms).
-- Invariant: read only.
unchanged = 'nothing was counted'
local ours = queueFilter(ARGV[1], ARGV[2])
local start = tonumber(ARGV[3])
local chunk, bad = read('ZRANGE', KEYS[1], 'zset', 'a set of several queues\' jobs', start, start + tonumber(ARGV[4]) - 1)
if bad then return bad end
local n = 0
for _, m in ipairs(chunk) do
  if ours(m) then n = n + 1 end
end
return {n, #chunk}
