-- key-checks: put before every script by LuaScript.load.
-- Redis never rolls a script back, so a command that fails on a key of the wrong type after a removal loses what
-- was removed. Each script therefore checks every key it will write before its first change, with these, and a
-- script that refuses says what it did not do: it sets `unchanged` (e.g. 'nothing was taken') first.
local unchanged = 'nothing was changed'

-- nil when key is absent or of type want; else the error to return (role says what the key is for)
local function mustBe(key, want, role)
  local kind = redis.call('TYPE', key).ok
  if kind ~= want and kind ~= 'none' then
    return redis.error_reply('WRONGTYPE key ' .. key .. ' holds a ' .. kind .. ', but it must be ' .. role
        .. ' (a ' .. (want == 'zset' and 'sorted set' or want) .. '); ' .. unchanged)
  end
end

-- the same for a counter INCRBY will write: absent, or a string holding an integer INCRBY accepts
local function mustCount(key, role)
  local bad = mustBe(key, 'string', role)
  if bad then return bad end
  local value = redis.call('GET', key)
  if value and not (string.match(value, '^%-?%d+$') and #value < 19) then
    return redis.error_reply('WRONGTYPE key ' .. key .. ' holds a string that is not an integer, but it must be '
        .. role .. '; ' .. unchanged)
  end
end

