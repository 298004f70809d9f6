-- promote: move due jobs from a delayed queue (sorted set, score = due time) to a target ready queue.
-- KEYS[1] delayed zset    KEYS[2] target list (LPUSH side, as the guide's producer)
-- ARGV[1] max jobs per call    ARGV[2] ms per score unit (1000 for epoch seconds, 1 for ms)
-- Returns: the number of jobs promoted.
-- Invariant: a job leaves the delayed set in the same step that pushes it, so many promoters at once
-- never push a job twice or drop one (the guide's ZRANGEBYSCORE, ZREM, LPUSH from a client does both).
-- Earliest due is pushed first, so it is taken first.
unchanged = 'nothing was promoted'
local bad = mustBe(KEYS[1], 'zset', 'a delayed queue')
    or mustBe(KEYS[2], 'list', 'the promotion target, a reliable queue')
if bad then return bad end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dueScore = string.format('%.3f', now / tonumber(ARGV[2]))
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', dueScore, 'LIMIT', 0, tonumber(ARGV[1]))
if #due == 0 then return 0 end
-- the due jobs are the lowest ranks, read from rank 0 in this script: removed by rank, not one argument per job
redis.call('ZREMRANGEBYRANK', KEYS[1], '0', string.format('%d', #due - 1))
redis.call('LPUSH', KEYS[2], unpack(due))
return #due
