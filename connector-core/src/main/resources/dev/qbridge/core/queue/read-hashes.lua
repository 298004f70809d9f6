-- read-hashes: read ready ids of a queue of job ids with a hash each, in take order, each with its hash, without
-- taking anything (a copy of the queue).
-- KEYS[1] ready list, or sorted set of ids
-- ARGV[1] the key prefix of job hashes    ARGV[2] 'head' or 'tail': the end takes pop from; 'zset': a sorted set,
--         read by rank, lowest score first
-- ARGV[3] how many ids to skip from that end    ARGV[4] how many to read
-- Returns: {ids, hashes, scores}: hashes[i] is the flat HGETALL of ids[i]'s hash, empty when it is missing, {type} when
-- that key holds another type; scores (a sorted set's, as Redis prints them) empty for a list; or a WRONGTYPE error
-- when the key is of another type.
-- Invariant: read only. One script, so that each id and its hash are read at the same moment.
unchanged = 'nothing was read'
local from, n = tonumber(ARGV[3]), tonumber(ARGV[4])
local ids, bad
local scores = {}
if ARGV[2] == 'zset' then
  local items
  items, bad = read('ZRANGE', KEYS[1], 'zset', 'a sorted set of job ids', from, from + n - 1, 'WITHSCORES')
  if items then
    ids = {}
    for i = 1, #items, 2 do
      ids[#ids + 1] = items[i]
      scores[#scores + 1] = items[i + 1]
    end
  end
elseif ARGV[2] == 'head' then
  ids, bad = read('LRANGE', KEYS[1], 'list', 'a reliable queue', from, from + n - 1)
else
  ids, bad = read('LRANGE', KEYS[1], 'list', 'a reliable queue', -(from + n), -(from + 1))
  if ids then
    local reversed = {}
    for i = #ids, 1, -1 do reversed[#reversed + 1] = ids[i] end
    ids = reversed
  end
end
if bad then return bad end
local hashes = {}
for i = 1, #ids do
  local key = ARGV[1] .. ids[i]
  local h = redis.pcall('HGETALL', key)
  if h.err then
    if string.sub(h.err, 1, 9) ~= 'WRONGTYPE' then
      if redis.REDIS_VERSION_NUM then error(h) end
      error(h.err)
    end
    h = {redis.call('TYPE', key).ok}
  end
  hashes[i] = h
end
return {ids, hashes, scores}
