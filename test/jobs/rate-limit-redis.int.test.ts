import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/jobs/rate-limit.ts';
import { createRedisBucketStore } from '../../src/jobs/rate-limit-stores.ts';
import { describeIf, missingCommand } from '../support/prereq.ts';
import { type RedisServer, startRedisServer } from './redis-server.ts';

describeIf(missingCommand('redis-server'), 'rate limiter with the Redis store', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server.stop());

  it('shares one budget between limiters and refills over time', async () => {
    let now = 10_000_000;
    const stores = [createRedisBucketStore(server.url), createRedisBucketStore(server.url)];
    const [a, b] = stores.map((store) =>
      createRateLimiter({ perInstallationPerHour: 3, perUserPerHour: 100, store, now: () => now }),
    );
    expect((await a?.take({ installationId: 5, user: 'x' }))?.allowed).toBe(true);
    expect((await b?.take({ installationId: 5, user: 'y' }))?.allowed).toBe(true);
    expect((await a?.take({ installationId: 5, user: 'z' }))?.allowed).toBe(true);
    expect(await b?.take({ installationId: 5, user: 'x' })).toEqual({
      allowed: false,
      retryAfterMs: 1_200_000,
      limitedBy: 'installation',
    });
    now += 1_200_000;
    expect((await b?.take({ installationId: 5, user: 'x' }))?.allowed).toBe(true);
    for (const s of stores) await s.close();
  });

  it('refusal replies are shared across processes: one per sender and repository an hour', async () => {
    let now = 20_000_000;
    const stores = [createRedisBucketStore(server.url), createRedisBucketStore(server.url)];
    const [a, b] = stores.map((store) =>
      createRateLimiter({ perInstallationPerHour: 3, perUserPerHour: 100, store, now: () => now }),
    );
    expect(await a?.takeReply({ repo: 'octo/calc', user: 'mallory' })).toBe(true);
    expect(await b?.takeReply({ repo: 'octo/calc', user: 'Mallory' })).toBe(false);
    expect(await b?.takeReply({ repo: 'octo/other', user: 'mallory' })).toBe(true);
    now += 3_600_000;
    expect(await b?.takeReply({ repo: 'octo/calc', user: 'mallory' })).toBe(true);
    for (const s of stores) await s.close();
  });
});
