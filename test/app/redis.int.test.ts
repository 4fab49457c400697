/**
 * The app on the distributed backend: the intake lane and the work queue are BullMQ queues on a
 * real redis-server (Debian's), rate limits in the same Redis. A labelled issue becomes one draft PR
 * even when GitHub delivers the webhook twice.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../jobs/redis-server.ts';
import { describeIf, missingCommand, missingDocker } from '../support/prereq.ts';
import { type AppHarness, FIX_TURNS, startAppHarness } from './harness.ts';

let redis: RedisServer;
let h: AppHarness;

describeIf(missingDocker() ?? missingCommand('redis-server'), 'GitHub App on Redis (BullMQ)', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
    h = await startAppHarness(
      FIX_TURNS,
      {},
      {
        CONJECTURE_QUEUE_BACKEND: 'redis',
        CONJECTURE_QUEUE_REDIS_URL: redis.url,
      },
    );
  });
  afterAll(async () => {
    await h?.close();
    await redis?.stop();
  });

  it('a labelled issue becomes one draft PR; the redelivery adds nothing', async () => {
    const payload = h.labeled('maintainer');
    expect((await h.hook('issues', payload, { deliveryId: 'redis-delivery' })).status).toBe(200);
    expect((await h.hook('issues', payload, { deliveryId: 'redis-delivery' })).status).toBe(200);
    await h.app.idle();
    const jobs = await h.app.dispatcher.all();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ state: 'succeeded', idempotencyKey: 'github:redis-delivery' });
    expect(h.repo.pulls.size).toBe(1);
    expect([...h.repo.pulls.values()][0]!.draft).toBe(true);
    expect(h.issue().labels).toContain('conjecture:done');
    expect(h.standin.problems).toEqual([]);
  });
});
