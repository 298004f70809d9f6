-- Preloads RQ jobs for the harness's RQ source row: each an id and its hash as RQ 1.13's client writes them
-- (Queue.enqueue('tasks.add', 7, 'order'), fields in its order), captured from the real client with only the id, the
-- description and the times changed. The interop tests prove the shape with RQ's own client; here only the cost of
-- reading it counts.
-- KEYS[1] rq:queue:<q>, KEYS[2] rq:queues
-- ARGV[1] data (zlib of the pickle, bytes), ARGV[2] the queue's name, ARGV[3] created_at and enqueued_at (utcformat),
-- ARGV[4] first job number, ARGV[5] how many jobs
local first = tonumber(ARGV[4])
local ids = {}
for n = first, first + tonumber(ARGV[5]) - 1 do
  local id = string.format('%08x-0000-4000-8000-%012x', n % 4294967296, n)
  redis.call('HSET', 'rq:job:' .. id, 'status', 'queued', 'created_at', ARGV[3], 'data', ARGV[1],
    'success_callback_name', '', 'failure_callback_name', '', 'started_at', '', 'ended_at', '', 'last_heartbeat', '',
    'worker_name', '', 'origin', ARGV[2], 'description', 'tasks.add(' .. n .. ", 'order')", 'enqueued_at', ARGV[3],
    'timeout', '180')
  ids[#ids + 1] = id
end
-- unpack takes at most a few thousand values (Lua's C stack)
for i = 1, #ids, 1000 do
  redis.call('RPUSH', KEYS[1], unpack(ids, i, math.min(i + 999, #ids)))
end
redis.call('SADD', KEYS[2], KEYS[1])
return #ids
