-- Counts one call against all its counters, or against none (topgate flow control).
-- KEYS: the call's counters, in the order they are checked.
-- ARGV: for each key, its limit then its TTL in seconds (set when the key is created).
-- Returns 0 when every counter stayed within its limit; otherwise the (1-based) position of
-- the first counter that went over, after taking back every increment of this call.
for i = 1, #KEYS do
  local count = redis.call('INCR', KEYS[i])
  if count == 1 then
    redis.call('EXPIRE', KEYS[i], ARGV[2 * i])
  end
  if count > tonumber(ARGV[2 * i - 1]) then
    for j = 1, i do
      redis.call('DECR', KEYS[j])
    end
    return i
  end
end
return 0
