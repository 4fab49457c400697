/** Shared token-bucket stores: SQLite (same file as the embedded queue) and Redis (one Lua script). */
import { Redis } from 'ioredis';
import type { BucketState, BucketStore } from './rate-limit.ts';
import { takeTokens } from './rate-limit.ts';
import { openJobsDatabase, transaction } from './sqlite/database.ts';

export function createSqliteBucketStore(path: string): BucketStore {
  const db = openJobsDatabase(path);
  const read = db.prepare('SELECT tokens, updated_at FROM rate_buckets WHERE key = ?');
  const write = db.prepare(
    `INSERT INTO rate_buckets (key, tokens, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at`,
  );
  return {
    async take(buckets, now) {
      return transaction(db, () => {
        const states = buckets.map((b) => {
          const row = read.get(b.key) as { tokens: number; updated_at: number } | undefined;
          return row ? { tokens: row.tokens, updatedAt: row.updated_at } : undefined;
        });
        const out = takeTokens(buckets, states, now);
        if ('retryAfterMs' in out) return { allowed: false, ...out };
        buckets.forEach((b, i) => {
          const s = out.next[i] as BucketState;
          write.run(b.key, s.tokens, s.updatedAt);
        });
        return { allowed: true, retryAfterMs: 0 };
      });
    },
    async close() {
      db.close();
    },
  };
}

/** KEYS: buckets; ARGV: now, then capacity and period (ms) for each → {allowed, wait, emptyIndex}. */
const TAKE = `
local now = tonumber(ARGV[1])
local levels, wait, empty = {}, 0, 0
for i, key in ipairs(KEYS) do
  local cap, period = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local h = redis.call('HMGET', key, 't', 'u')
  local t = cap
  if h[1] then t = math.min(cap, tonumber(h[1]) + math.max(0, now - tonumber(h[2])) * cap / period) end
  levels[i] = t
  if t < 1 then
    local w = math.ceil((1 - t) * period / cap - 1e-9)
    if w > wait then wait, empty = w, i end
  end
end
if wait > 0 then return { 0, wait, empty } end
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 't', tostring(levels[i] - 1), 'u', now)
  -- A bucket untouched for a whole period is full again, so the key can go.
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return { 1, 0, 0 }`;

export function createRedisBucketStore(url: string, prefix = 'conjecture:rate'): BucketStore {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  return {
    async take(buckets, now) {
      const keys = buckets.map((b) => `${prefix}:${b.key}`);
      const args = buckets.flatMap((b) => [b.capacity, b.periodMs]);
      const [ok, wait, empty] = (await redis.eval(TAKE, keys.length, ...keys, now, ...args)) as number[];
      if (ok === 1) return { allowed: true, retryAfterMs: 0 };
      return { allowed: false, retryAfterMs: wait ?? 0, emptyKey: buckets[(empty ?? 1) - 1]?.key };
    },
    async close() {
      redis.disconnect();
    },
  };
}
