-- zadd: a guide-style producer of a delayed queue, for tests: ZADD key score member [score member ...].
-- KEYS[1] the delayed queue    ARGV: pairs (score, member)    Returns: members added.
return redis.call('ZADD', KEYS[1], unpack(ARGV))
