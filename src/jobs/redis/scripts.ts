/**
 * Lua scripts that keep the job record (a Redis hash per job, plus index sorted sets) consistent
 * with one atomic step per transition. BullMQ decides *which* job a worker gets and detects dead
 * workers (lock + stalled checks); these scripts decide whether it may run (cancel flag, attempts,
 * per-repository and per-installation slots) and record what happened.
 *
 * Keys are built inside the scripts from the prefix in ARGV[1], which is why this backend supports a
 * single Redis server, not Redis Cluster (documented in docs/jobs.md).
 *
 * Slots are sorted sets of job ids scored by lease expiry: a slot whose lease ran out (its worker
 * died) is dropped on the next claim, so a crash cannot leak a concurrency slot.
 */

const COMMON = `
local p = ARGV[1]
local function rec(id) return p .. ':rec:' .. id end
local function setState(id, to)
  local k = rec(id)
  local from = redis.call('HGET', k, 'state')
  local seq = redis.call('HGET', k, 'seq')
  if from then redis.call('ZREM', p .. ':state:' .. from, id) end
  redis.call('ZADD', p .. ':state:' .. to, seq, id)
  redis.call('HSET', k, 'state', to)
end
local function slotKeys(id)
  local k = rec(id)
  local keys = { p .. ':slots:repo:' .. redis.call('HGET', k, 'repo') }
  local inst = redis.call('HGET', k, 'installationId')
  if inst and inst ~= '' then table.insert(keys, p .. ':slots:inst:' .. inst) end
  return keys
end
local function releaseSlots(id)
  for _, key in ipairs(slotKeys(id)) do redis.call('ZREM', key, id) end
end
local function endLease(id)
  releaseSlots(id)
  redis.call('HDEL', rec(id), 'leaseOwner', 'leaseExpiresAt')
end
`;

/** ARGV: prefix, id, field, value, field, value, … → 1 created, 0 existed. */
export const CREATE = `${COMMON}
local id = ARGV[2]
if redis.call('EXISTS', rec(id)) == 1 then return 0 end
local seq = redis.call('INCR', p .. ':seq')
redis.call('HSET', rec(id), 'seq', seq, unpack(ARGV, 3))
redis.call('ZADD', p .. ':all', seq, id)
redis.call('ZADD', p .. ':repo:' .. redis.call('HGET', rec(id), 'repo'), seq, id)
setState(id, 'queued')
return 1`;

/** ARGV: prefix, id, by, reason, now → not_found | already_ended | cancelled | cancel_requested. */
export const CANCEL = `${COMMON}
local id = ARGV[2]
local state = redis.call('HGET', rec(id), 'state')
if not state then return 'not_found' end
if state ~= 'queued' and state ~= 'running' then return 'already_ended' end
if not redis.call('HGET', rec(id), 'cancelBy') then
  redis.call('HSET', rec(id), 'cancelBy', ARGV[3], 'cancelReason', ARGV[4], 'cancelAt', ARGV[5])
end
if state == 'running' then return 'cancel_requested' end
setState(id, 'cancelled')
redis.call('HSET', rec(id), 'finishedAt', ARGV[5])
return 'cancelled'`;

/**
 * ARGV: prefix, id, token, now, leaseMs, perRepo, perInst, crashErrorJson →
 * started | limited | ended | cancelled | exhausted | missing.
 * A record still 'running' here means its previous worker died: BullMQ's stalled check handed it back.
 */
export const START = `${COMMON}
local id, token, now, leaseMs = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local k = rec(id)
local state = redis.call('HGET', k, 'state')
if not state then return 'missing' end
if state ~= 'queued' and state ~= 'running' then return 'ended' end
if state == 'running' then
  endLease(id)
  if redis.call('HGET', k, 'cancelBy') then
    setState(id, 'cancelled')
    redis.call('HSET', k, 'finishedAt', now)
    return 'cancelled'
  end
  if tonumber(redis.call('HGET', k, 'attempts')) >= tonumber(redis.call('HGET', k, 'maxAttempts')) then
    setState(id, 'failed')
    redis.call('HSET', k, 'finishedAt', now, 'error', ARGV[8])
    return 'exhausted'
  end
end
local keys = slotKeys(id)
local limits = { tonumber(ARGV[6]), tonumber(ARGV[7]) }
for i, key in ipairs(keys) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. now)
  if redis.call('ZCARD', key) >= limits[i] then return 'limited' end
end
for _, key in ipairs(keys) do redis.call('ZADD', key, now + leaseMs, id) end
setState(id, 'running')
redis.call('HINCRBY', k, 'attempts', 1)
redis.call('HSET', k, 'leaseOwner', token, 'leaseExpiresAt', now + leaseMs, 'startedAt', now)
return 'started'`;

/** ARGV: prefix, id, token, expiresAt → {} when the lease is lost, else {1, cancelBy, reason, at}. */
export const RENEW = `${COMMON}
local id, token = ARGV[2], ARGV[3]
local k = rec(id)
if redis.call('HGET', k, 'leaseOwner') ~= token or redis.call('HGET', k, 'state') ~= 'running' then return {} end
redis.call('HSET', k, 'leaseExpiresAt', ARGV[4])
for _, key in ipairs(slotKeys(id)) do redis.call('ZADD', key, 'XX', ARGV[4], id) end
return { 1, redis.call('HGET', k, 'cancelBy') or '', redis.call('HGET', k, 'cancelReason') or '',
  redis.call('HGET', k, 'cancelAt') or '' }`;

/** ARGV: prefix, id, token, field, value → 1 written, 0 lease lost. */
export const PROGRESS = `${COMMON}
local k = rec(ARGV[2])
if redis.call('HGET', k, 'leaseOwner') ~= ARGV[3] or redis.call('HGET', k, 'state') ~= 'running' then return 0 end
redis.call('HSET', k, ARGV[4], ARGV[5])
return 1`;

/** ARGV: prefix, id, token, now, kind, json (result or error), runAfter → 1 written, 0 lease lost. */
export const SETTLE = `${COMMON}
local id, token, now, kind, json = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local k = rec(id)
if redis.call('HGET', k, 'leaseOwner') ~= token or redis.call('HGET', k, 'state') ~= 'running' then return 0 end
endLease(id)
if kind == 'succeeded' then
  setState(id, 'succeeded')
  redis.call('HSET', k, 'finishedAt', now, 'result', json)
  redis.call('HDEL', k, 'error')
elseif kind == 'failed' then
  setState(id, 'failed')
  redis.call('HSET', k, 'finishedAt', now, 'error', json)
elseif kind == 'retry' then
  setState(id, 'queued')
  redis.call('HSET', k, 'error', json, 'runAfter', ARGV[7])
elseif kind == 'cancelled' then
  setState(id, 'cancelled')
  redis.call('HSET', k, 'finishedAt', now)
  if json ~= '' then redis.call('HSET', k, 'result', json) end
else
  setState(id, 'queued')
  redis.call('HINCRBY', k, 'attempts', -1)
  redis.call('HSET', k, 'runAfter', now)
end
return 1`;

/**
 * ARGV: prefix, before (ms), limit → the ids of the ended jobs removed. Looks at the oldest ended jobs
 * of each end state (by seq, which follows creation) and removes those that finished before the cut.
 */
export const PRUNE = `${COMMON}
local before, limit, removed = tonumber(ARGV[2]), tonumber(ARGV[3]), {}
for _, state in ipairs({ 'succeeded', 'failed', 'cancelled' }) do
  local ids = redis.call('ZRANGE', p .. ':state:' .. state, 0, limit - 1)
  for _, id in ipairs(ids) do
    if #removed >= limit then return removed end
    local k = rec(id)
    local finished = tonumber(redis.call('HGET', k, 'finishedAt') or '')
    if finished and finished < before then
      local repo = redis.call('HGET', k, 'repo')
      redis.call('ZREM', p .. ':state:' .. state, id)
      redis.call('ZREM', p .. ':all', id)
      if repo then redis.call('ZREM', p .. ':repo:' .. repo, id) end
      redis.call('DEL', k)
      table.insert(removed, id)
    end
  end
end
return removed`;
