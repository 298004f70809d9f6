-- slow-incr (tests only): counts its runs in KEYS[1], then keeps the server busy for ARGV[1] microseconds, so that
-- its reply arrives after a short client timeout although the script ran.
redis.call('INCR', KEYS[1])
local t = redis.call('TIME')
local start = t[1] * 1000000 + t[2]
repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start > tonumber(ARGV[1])
return 1
