/**
 * Newest-first pages of job records. Walks the narrowest index (state, else repository, else all)
 * backwards from the `before` job's sequence number and filters on the other field.
 */
import type { Redis } from 'ioredis';
import type { JobRecord, ListJobsQuery } from '../types.ts';
import { hashToRecord, type RedisKeys } from './records.ts';

export async function listRecords(
  redis: Redis,
  keys: RedisKeys,
  query: ListJobsQuery,
): Promise<{ jobs: JobRecord[]; nextBefore: string | null }> {
  let max = '+inf';
  if (query.before) {
    const seq = await redis.hget(keys.record(query.before), 'seq');
    if (!seq) return { jobs: [], nextBefore: null };
    max = `(${seq}`;
  }
  const index = query.state ? keys.state(query.state) : query.repo ? keys.repo(query.repo) : keys.all;
  const want = query.limit + 1;
  const batch = Math.max(want * 2, 20);
  const found: JobRecord[] = [];
  for (let offset = 0; found.length < want; offset += batch) {
    const ids = await redis.zrevrangebyscore(index, max, '-inf', 'LIMIT', offset, batch);
    if (ids.length === 0) break;
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hgetall(keys.record(id));
    const hashes = (await pipeline.exec()) ?? [];
    ids.forEach((id, i) => {
      const record = hashToRecord(id, (hashes[i]?.[1] ?? {}) as Record<string, string>);
      if (record && (!query.repo || record.repo === query.repo) && found.length < want) found.push(record);
    });
    if (ids.length < batch) break;
  }
  const jobs = found.slice(0, query.limit);
  return { jobs, nextBefore: found.length > query.limit ? (jobs.at(-1)?.id ?? null) : null };
}
