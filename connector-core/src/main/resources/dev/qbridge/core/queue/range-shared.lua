-- range-shared: one queue's members of a sorted set shared with other queues, lowest score first, read without
-- changing anything: what a take would serve next (qbridge queues peek, migrate --copy), a window at a time.
-- KEYS[1] the shared sorted set (Sidekiq's schedule, retry or dead)
-- ARGV[1] the top-level JSON field that names a member's queue    ARGV[2] this queue's name in it
-- ARGV[3] the rank to start reading at    ARGV[4] most members of this queue to return
-- ARGV[5] most members to read (the window: other queues' members are read past, up to this many)
-- Returns: {next rank, 1 when the set ends there else 0, member, score, member, score, ...}: this queue's members
--   (shared-set.lua's queueFilter) among those read, with their scores as Redis prints them; the caller goes on at
--   the next rank, the one after the last member read, until it has enough or the set ends.
-- Invariant: read only.
unchanged = 'nothing was read'
local ours = queueFilter(ARGV[1], ARGV[2])
local start, want, window = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local items, bad = read('ZRANGE', KEYS[1], 'zset', 'a set of several queues\' jobs', start, start + window - 1, 'WITHSCORES')
if bad then return bad end
local seen = #items / 2
local out, found = {0, 0}, 0
local nextRank = start + seen
for i = 1, #items, 2 do
  if ours(items[i]) then
    out[#out + 1] = items[i]
    out[#out + 1] = items[i + 1]
    found = found + 1
    if found == want then
      nextRank = start + (i + 1) / 2
      break
    end
  end
end
out[1] = nextRank
out[2] = (seen < window and nextRank == start + seen) and 1 or 0
return out
