-- read-offsets: the offsets a sink connector stored beside one queue's jobs (see write-batch.lua).
-- KEYS[1] the offsets hash "<queue>:qbridge:sink-offsets:<connector>"
-- ARGV    fields "topic/partition"
-- Returns: one value per field: the next offset to write, or false (nil) when none is stored.
-- Invariant: reads only; a task that resumes from these offsets neither writes a record twice nor skips one.
return redis.call('HMGET', KEYS[1], unpack(ARGV))
