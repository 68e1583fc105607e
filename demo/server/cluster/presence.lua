-- Presence and connection counts across gateways, as sorted sets whose score
-- is the entry's expiry (ms). Every gateway refreshes its own entries; the
-- entries of a gateway that died expire. Member format: {userId}|{gateway}[|{conn}].
--   ARGV[1] op, ARGV[2] key, ARGV[3] now, then per op:
--   join  member userId expiry   -> 1 when the user had no live entry before
--   leave member userId          -> 1 when the user has no live entry left
--   count member userId expiry limit -> 1 when added (live entries < limit), else 0
--   sweep                        -> the userIds whose last live entry expired
local op, key, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local function live_of(user)
  local n = 0
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', key, '(' .. now, '+inf')) do
    if string.sub(m, 1, #user + 1) == user .. '|' then n = n + 1 end
  end
  return n
end
if op == 'join' then
  local had = live_of(ARGV[5])
  redis.call('ZADD', key, ARGV[6], ARGV[4])
  redis.call('PEXPIRE', key, 3600000)
  return had == 0 and 1 or 0
elseif op == 'leave' then
  redis.call('ZREM', key, ARGV[4])
  return live_of(ARGV[5]) == 0 and 1 or 0
elseif op == 'count' then
  if live_of(ARGV[5]) >= tonumber(ARGV[7]) then return 0 end
  redis.call('ZADD', key, ARGV[6], ARGV[4])
  redis.call('PEXPIRE', key, 3600000)
  return 1
elseif op == 'sweep' then
  local gone = {}
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', now)) do
    local user = string.match(m, '^([^|]+)|')
    redis.call('ZREM', key, m)
    if user and live_of(user) == 0 then gone[user] = true end
  end
  local out = {}
  for u in pairs(gone) do table.insert(out, u) end
  return out
end
return redis.error_reply('unknown op ' .. tostring(op))
