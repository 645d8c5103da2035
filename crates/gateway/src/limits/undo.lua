-- Takes back one call's increments (Redis Cluster: another shard refused the call).
-- KEYS: the counters hit.lua incremented. A counter gone since (expired, reset) stays gone.
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('DECR', KEYS[i])
  end
end
return 0
