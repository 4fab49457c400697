import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BucketStore, createMemoryBucketStore, createRateLimiter } from '../../src/jobs/rate-limit.ts';
import { createSqliteBucketStore } from '../../src/jobs/rate-limit-stores.ts';

const dir = mkdtempSync(join(tmpdir(), 'conjecture-rate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stores: [string, () => BucketStore][] = [
  ['memory', createMemoryBucketStore],
  ['sqlite', () => createSqliteBucketStore(join(dir, `${Math.random()}.sqlite`))],
];

describe.each(stores)('rate limiter with the %s store', (_name, makeStore) => {
  it('allows the hourly budget, then says how long to wait', async () => {
    let now = 1_000_000;
    const store = makeStore();
    const limiter = createRateLimiter({
      perInstallationPerHour: 30,
      perUserPerHour: 2,
      store,
      now: () => now,
    });
    expect(await limiter.take({ installationId: 1, user: 'Ann' })).toEqual({
      allowed: true,
      retryAfterMs: 0,
    });
    expect((await limiter.take({ installationId: 1, user: 'ann' })).allowed).toBe(true);
    const refused = await limiter.take({ installationId: 1, user: 'ann' });
    // One token refills in an hour / 2 per hour = 30 minutes.
    expect(refused).toEqual({ allowed: false, retryAfterMs: 1_800_000, limitedBy: 'user' });
    expect((await limiter.take({ installationId: 1, user: 'bob' })).allowed).toBe(true);
    now += 1_800_000;
    expect((await limiter.take({ installationId: 1, user: 'ann' })).allowed).toBe(true);
    await store.close();
  });

  it('takes from no bucket when one of them is empty', async () => {
    const now = 5_000;
    const store = makeStore();
    const limiter = createRateLimiter({
      perInstallationPerHour: 2,
      perUserPerHour: 10,
      store,
      now: () => now,
    });
    expect((await limiter.take({ installationId: 9, user: 'a' })).allowed).toBe(true);
    expect((await limiter.take({ installationId: 9, user: 'b' })).allowed).toBe(true);
    expect(await limiter.take({ installationId: 9, user: 'c' })).toMatchObject({
      allowed: false,
      limitedBy: 'installation',
    });
    // c's refused request did not spend c's own token: another installation still lets c in 10 times.
    for (let i = 0; i < 10; i++)
      expect((await limiter.take({ installationId: 100 + i, user: 'c' })).allowed).toBe(true);
    expect((await limiter.take({ installationId: 11, user: 'c' })).limitedBy).toBe('user');
    await store.close();
  });
});

describe('refusal replies', () => {
  it('one per sender and repository per hour, independent of run budgets', async () => {
    let now = 1_000_000;
    const limiter = createRateLimiter({ perInstallationPerHour: 1, perUserPerHour: 1, now: () => now });
    expect(await limiter.takeReply({ repo: 'octo/calc', user: 'Mallory' })).toBe(true);
    expect(await limiter.takeReply({ repo: 'OCTO/calc', user: 'mallory' })).toBe(false);
    expect(await limiter.takeReply({ repo: 'octo/other', user: 'mallory' })).toBe(true);
    expect(await limiter.takeReply({ repo: 'octo/calc', user: 'eve' })).toBe(true);
    // Replies do not spend run tokens.
    expect((await limiter.take({ installationId: 1, user: 'mallory' })).allowed).toBe(true);
    now += 3_600_000;
    expect(await limiter.takeReply({ repo: 'octo/calc', user: 'mallory' })).toBe(true);
  });

  it('the silence holds across a restart (same SQLite file, new process state)', async () => {
    const path = join(dir, 'replies.sqlite');
    const settings = { perInstallationPerHour: 30, perUserPerHour: 10, refusalRepliesPerHour: 2 };
    const first = createSqliteBucketStore(path);
    const before = createRateLimiter({ ...settings, store: first });
    expect(await before.takeReply({ repo: 'octo/calc', user: 'mallory' })).toBe(true);
    expect(await before.takeReply({ repo: 'octo/calc', user: 'mallory' })).toBe(true);
    await first.close();
    const second = createSqliteBucketStore(path);
    const after = createRateLimiter({ ...settings, store: second });
    expect(await after.takeReply({ repo: 'octo/calc', user: 'mallory' })).toBe(false);
    await second.close();
  });
});
