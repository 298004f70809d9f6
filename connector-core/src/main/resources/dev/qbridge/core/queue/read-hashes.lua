-- read-hashes: read ready ids of a queue of job ids with a hash each, in take order, each with its hash, without
-- taking anything (a copy of the queue).
-- KEYS[1] ready list
-- ARGV[1] the key prefix of job hashes    ARGV[2] 'head' or 'tail': the end takes pop from
-- ARGV[3] how many ids to skip from that end    ARGV[4] how many to read
-- Returns: {ids, hashes}: hashes[i] is the flat HGETALL of ids[i]'s hash, empty when it is missing, {type} when that
-- key holds another type; or a WRONGTYPE error when the list is no list.
-- Invariant: read only. One script, so that each id and its hash are read at the same moment.
unchanged = 'nothing was read'
local from, n = tonumber(ARGV[3]), tonumber(ARGV[4])
local ids, bad
if ARGV[2] == 'head' then
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
return {ids, hashes}
