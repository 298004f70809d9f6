-- read-offsets: the offsets a sink connector stored beside one queue's jobs (see write-batch.lua).
-- KEYS[1] the offsets hash "<queue>:qbridge:sink-offsets:<connector>"
-- ARGV    fields "topic/partition", any number of them
-- Returns: one value per field, in order: the next offset to write, or false (nil) when none is stored.
-- Invariant: reads only; a task that resumes from these offsets neither writes a record twice nor skips one.
-- Fields are read 1,000 at a time: Lua's unpack refuses a table of more than about 8,000 values, and one queue
-- may take the records of more partitions than that.
unchanged = 'nothing was read'
local bad = mustBe(KEYS[1], 'hash', 'the offsets of a sink connector')
if bad then return bad end
local values = {}
for from = 1, #ARGV, 1000 do
  local got = redis.call('HMGET', KEYS[1], unpack(ARGV, from, math.min(from + 999, #ARGV)))
  for i = 1, #got do
    values[#values + 1] = got[i]
  end
end
return values
