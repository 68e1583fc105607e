-- Publishes one outbox row: its deliveries, each numbered by the database
-- (stream, seq), go into the stream's replay buffer and out to every gateway,
-- exactly once and in seq order. Atomic (a script), so a relay that dies
-- anywhere leaves Redis as before or after the row, never half of it.
--   ARGV[1] key prefix (ssot:{epoch}:), ARGV[2] buffer length, ARGV[3] '1' to
--   force past a hole (see outbox.js), then for each delivery: stream ('' = not
--   numbered), seq, JSON.
-- Returns {'ok', published} or {'wait', stream, last} when an earlier seq of
-- that stream is not published yet (its row is still being relayed): retry.
local prefix, cap, force = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'
local n = (#ARGV - 3) / 3
local seen = {}
local function last_of(stream)
  if seen[stream] ~= nil then return seen[stream] end
  local v = redis.call('GET', prefix .. 'last:' .. stream)
  return v and tonumber(v) or false
end
-- Check first: a row is published whole or not at all.
for i = 0, n - 1 do
  local stream, seq = ARGV[4 + i * 3], tonumber(ARGV[5 + i * 3])
  if stream ~= '' then
    local last = last_of(stream)
    -- No 'last': Redis has no memory of the stream (new, or Redis lost its data):
    -- this seq starts it; subscribers that are behind it get resync.
    if last and seq > last + 1 and not force then return {'wait', stream, tostring(last)} end
    if not last or seq > last then seen[stream] = seq end
  end
end
local out = {}
for i = 0, n - 1 do
  local stream, seq, json = ARGV[4 + i * 3], tonumber(ARGV[5 + i * 3]), ARGV[6 + i * 3]
  if stream == '' then
    table.insert(out, json)
  else
    local key = prefix .. 'last:' .. stream
    local last = redis.call('GET', key)
    if not last or seq > tonumber(last) then
      redis.call('SET', key, seq)
      redis.call('XADD', prefix .. 'buf:' .. stream, 'MAXLEN', cap, seq .. '-0', 'd', json)
      table.insert(out, json)
    end
  end
end
if #out > 0 then redis.call('PUBLISH', prefix .. 'updates', '[' .. table.concat(out, ',') .. ']') end
return {'ok', tostring(#out)}
