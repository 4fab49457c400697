/**
 * Replays and trigger spam (THREATS.md #2, #22) against the durable queue the app uses (SQLite,
 * node:sqlite in a temp dir: no network). Octokit's `retry-after` handling is proved over HTTP in
 * test/github/github-api.int.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GitHubJobSpec } from '../../src/app/github-job-spec.ts';
import { createQueueDispatcher } from '../../src/app/queue-dispatcher.ts';
import { silentLogger } from '../../src/core/log.ts';
import { createMemoryBucketStore, type JobQueue } from '../../src/jobs/index.ts';
import { takeTokens } from '../../src/jobs/rate-limit.ts';
import { createSqliteJobQueue } from '../../src/jobs/sqlite/queue.ts';

let queue: JobQueue | undefined;
afterEach(async () => {
  await queue?.close();
  queue = undefined;
});
const open = () => {
  queue = createSqliteJobQueue({ path: join(mkdtempSync(join(tmpdir(), 'sec-queue-')), 'jobs.sqlite') });
  return queue;
};
const spec = (number: number): GitHubJobSpec => ({
  owner: 'octo',
  repo: 'calc',
  number,
  installationId: 1,
  cloneUrl: 'http://127.0.0.1:1/git/octo/calc.git',
  defaultBranch: 'main',
  triggeredBy: 'maintainer',
  triggeredByBot: false,
  instructions: '',
  issue: { title: 't', body: 'b', number, url: 'u', comments: [] },
  issueSha256: '0'.repeat(64),
});

describe('THREAT #2: replayed delivery', () => {
  it('the same X-GitHub-Delivery is recorded once; the same idempotency key makes one job', async () => {
    const q = open();
    expect(await q.recordDelivery('delivery-1')).toBe(true);
    expect(await q.recordDelivery('delivery-1')).toBe(false);
    const req = {
      kind: 'github-fix',
      payload: {},
      idempotencyKey: 'octo/calc#1:777',
      repo: 'octo/calc',
    } as const;
    const a = await q.enqueue(req);
    const b = await q.enqueue(req);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.job.id).toBe(a.job.id);
  });
});

describe('THREAT #22: trigger spam', () => {
  it('100 triggers on one issue make one run; other issues queue behind the per-repository limit', async () => {
    const dispatcher = createQueueDispatcher({ queue: open(), maxAttempts: 1, logger: silentLogger() });
    const key = (number: number) => ({ owner: 'octo', repo: 'calc', number });
    let started = 0;
    for (let i = 0; i < 100; i++) {
      const r = await dispatcher.submit(key(1), spec(1), `spam-${i}`);
      if (r.started) started++;
    }
    expect(started).toBe(1);
    await dispatcher.submit(key(2), spec(2), 'other-issue');
    const jobs = await dispatcher.all();
    expect(jobs).toHaveLength(2);
    expect(jobs.every((j) => j.state === 'queued')).toBe(true);
  });

  it('a token bucket refuses past its capacity and says how long to wait', async () => {
    const store = createMemoryBucketStore();
    const bucket = { key: 'installation:1', capacity: 10, periodMs: 60_000 };
    const results = [];
    for (let i = 0; i < 100; i++) results.push(await store.take([bucket], 1_000));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    const refused = results.find((r) => !r.allowed)!;
    expect(refused.retryAfterMs).toBe(6_000);
    expect((await store.take([bucket], 1_000 + 6_000)).allowed).toBe(true);
    expect(takeTokens([bucket], [{ tokens: 0, updatedAt: 0 }], 0)).toEqual({
      retryAfterMs: 6_000,
      emptyKey: 'installation:1',
    });
    await store.close();
  });
});
