/**
 * Distributed `eval run` on Redis (BullMQ), as with `--queue redis://…`: a coordinator that only
 * enqueues and collects, and two workers that share the instances. The instance runner is a fake,
 * so this tests the queue path alone (the Docker path is eval-worker-crash.int.test.ts).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { evalQueueSettings, runEvaluation } from '../../src/eval/index.ts';
import { openRunStore } from '../../src/eval/run-store.ts';
import { openJobQueue } from '../../src/jobs/open.ts';
import type { JobQueue } from '../../src/jobs/types.ts';
import { createWorker } from '../../src/jobs/worker.ts';
import { createEvalJobHandler } from '../../src/work/index.ts';
import { type RedisServer, startRedisServer } from '../jobs/redis-server.ts';
import { describeIf, missingCommand } from '../support/prereq.ts';
import { fakeInstances, fakeRunner } from './run-support.ts';

const logger = silentLogger();

describeIf(missingCommand('redis-server'), 'eval run over a Redis queue', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('spreads the instances over two workers and collects one result each', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eval-redis-'));
    const open = () =>
      openJobQueue(evalQueueSettings(redis.url, dir), { stateDir: dir, logger, lane: 'eval' });
    const queues: JobQueue[] = [open(), open(), open()];
    const runners = [fakeRunner(), fakeRunner()];
    const workers = runners.map((r, i) =>
      createWorker({
        queue: queues[i + 1] as JobQueue,
        handlers: { eval: createEvalJobHandler({ runnerFor: () => r.runner, logger }) },
        concurrency: 2,
        leaseMs: 5_000,
        pollMs: 50,
        logger,
      }),
    );
    try {
      const store = await openRunStore(join(dir, 'out'), { model_name_or_path: 'fake-model' });
      const report = await runEvaluation({
        instances: fakeInstances(6),
        store,
        runner: fakeRunner().runner,
        workers: 0,
        settings: { runId: store.meta.run_id, label: 'fake-model', modelName: 'm' },
        queue: queues[0],
        pollMs: 50,
        logger,
      });
      expect(report).toMatchObject({ recorded: 6, remaining: [] });
      const ran = runners.flatMap((r) => r.calls).sort();
      expect(ran).toEqual(
        fakeInstances(6)
          .map((i) => i.instance_id)
          .sort(),
      );
      expect(store.results().map((l) => l.exit_status)).toEqual(Array(6).fill('submitted'));
    } finally {
      for (const w of workers) await w.stop({ graceMs: 0 });
      for (const q of queues) await q.close();
    }
  });
});
