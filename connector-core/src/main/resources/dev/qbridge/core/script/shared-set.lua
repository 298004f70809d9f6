-- shared-set: put by LuaScript.load before the scripts that read a sorted set shared by several queues (Sidekiq's
-- schedule, retry and dead): take-sorted, count-shared, purge-shared, range-shared. The one rule of which members are
-- one queue's, so that what is taken, counted, purged and shown is always the same set of jobs.
-- A member is queue `value`'s when it is a JSON object whose top-level field `field` is the string `value`; a member
-- that is no JSON object is no queue's, and is never touched.

-- nil without a field (the queue's set is its own: every member is the queue's); else a function of a member that is
-- true when the member is the queue's. A plain find of the field's JSON spelling spares the decoding of most members
-- of no queue; a JSON object whose field is spelled with escapes ("\u0071ueue") names no queue.
local function queueFilter(field, value)
  if not field then return nil end
  local hint = '"' .. field .. '"'
  return function(member)
    if not string.find(member, hint, 1, true) then return false end
    local ok, job = pcall(cjson.decode, member)
    return ok and type(job) == 'table' and job[field] == value
  end
end
