-- key-checks: put before every script by LuaScript.load.
-- Redis never rolls a script back, so a command that fails on a key of the wrong type after a removal loses what
-- was removed. Each script therefore checks every key it will write before its first change, and a script that
-- refuses says what it did not do: it sets `unchanged` (e.g. 'nothing was taken') first.
-- A key is checked in one of three ways, cheapest first: by a read that is its first touch (`read`: a command on a
-- key of another type fails without changing anything), by being the script's first write (`write`: the same),
-- or by TYPE (`mustBe`) when neither holds. All three refuse with the same message, naming the key and its type.
-- Few functions on purpose: this prelude runs on every call, and each function it defines cost ~600 instructions
-- per call (callgrind), a tenth of a redis.call.
local unchanged = 'nothing was changed'

-- nil when key is absent or of type want; else the error to return (role says what the key is for)
local function mustBe(key, want, role)
  local kind = redis.call('TYPE', key).ok
  if kind ~= want and kind ~= 'none' then
    return redis.error_reply('WRONGTYPE key ' .. key .. ' holds a ' .. kind .. ', but it must be ' .. role
        .. ' (a ' .. (want == 'zset' and 'sorted set' or want) .. '); ' .. unchanged)
  end
end

local readCount

-- redis.pcall of a command whose failure changes nothing (a read, or the script's first write): its reply, or nil
-- and the refusal mustBe gives when the key holds another type (want 'string' with INCRBY: or a string that is no
-- integer). Other errors (a missing ACL permission, OOM) are raised as redis.call raises them.
local function attempt(command, key, want, role, ...)
  local reply = redis.pcall(command, key, ...)
  if type(reply) == 'table' and reply.err then
    local bad
    if string.sub(reply.err, 1, 9) == 'WRONGTYPE' then
      bad = mustBe(key, want, role)
    elseif want == 'string' and string.find(reply.err, 'not an integer', 1, true) then
      bad = select(2, readCount(key, role))
    end
    if bad then return nil, bad end
    -- raised as redis.call raises it: Redis 7 raises the error table, 6.2 its message (a table would read "(null)")
    if redis.REDIS_VERSION_NUM then error(reply) end
    error(reply.err)
  end
  return reply
end
local read, write = attempt, attempt

-- the value of a counter INCRBY will write, read with one GET: 0 when absent; or nil and the refusal when the key
-- holds another type or a string that INCRBY would not accept
readCount = function(key, role)
  local value, bad = read('GET', key, 'string', role)
  if bad then return nil, bad end
  if not value then return 0 end
  if not (string.match(value, '^%-?%d+$') and #value < 19) then
    return nil, redis.error_reply('WRONGTYPE key ' .. key .. ' holds a string that is not an integer, but it must be '
        .. role .. '; ' .. unchanged)
  end
  return tonumber(value)
end

