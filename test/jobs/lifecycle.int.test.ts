/**
 * Leases and shutdown on both backends: a worker killed with SIGKILL (in a child process) loses its
 * job to the next worker once the lease expires, with the attempt counted; a job that kills every
 * worker ends failed; `stop({ graceMs })` lets quick jobs finish and hands slow ones back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumeOptions, JobQueue } from '../../src/jobs/types.ts';
import { describeIf } from '../support/prereq.ts';
import {
  BACKENDS,
  createCleanup,
  kill9,
  openFromSpec,
  type QueueSpec,
  sleep,
  spawnChildWorker,
  TIMING,
  waitFor,
} from './harness.ts';

const OK = { exitStatus: 'submitted' };

describe.each(BACKENDS)('job lifecycle on $name', (h) => {
  describeIf(h.missing, `${h.name} backend`, () => {
    const cleanup = createCleanup();
    beforeAll(() => h.start());
    afterAll(() => h.stop());
    afterEach(() => cleanup.run());

    const consume = (q: JobQueue, o: Partial<ConsumeOptions> & Pick<ConsumeOptions, 'handler'>) => {
      const c = q.consume({ concurrency: 1, leaseMs: TIMING.leaseMs, pollMs: TIMING.pollMs, ...o });
      return cleanup.add(() => c.stop({ graceMs: 0 }), c);
    };
    const open = (spec: QueueSpec): JobQueue => {
      const q = openFromSpec(spec);
      return cleanup.add(() => q.close(), q);
    };
    const child = (spec: QueueSpec) => {
      const w = spawnChildWorker(spec);
      cleanup.add(() => kill9(w.child), null);
      return w;
    };
    const enqueue = (q: JobQueue, key: string, maxAttempts = 3) =>
      q.enqueue({ kind: 'fix', payload: {}, idempotencyKey: key, repo: 'octo/crash', maxAttempts });

    it('gives a killed worker’s job to another worker after the lease, counting the attempt', async () => {
      const spec = h.fresh({ perRepository: 1 });
      const q = open(spec);
      const { job } = await enqueue(q, 'victim');
      const first = child(spec);
      expect(await first.started).toBe(job.id);
      await kill9(first.child);
      const killedAt = Date.now();
      expect(await q.get(job.id)).toMatchObject({ state: 'running', attempts: 1 });
      let pickedUpAt = 0;
      consume(q, {
        handler: async () => {
          pickedUpAt = Date.now();
          return OK;
        },
      });
      const done = await waitFor('the job to finish', async () => {
        const j = await q.get(job.id);
        return j?.state === 'succeeded' ? j : null;
      });
      expect(done.attempts).toBe(2);
      // Not before the dead worker's lease ran out (it was renewed at most leaseMs/3 before the kill).
      expect(pickedUpAt - killedAt).toBeGreaterThanOrEqual((2 * TIMING.leaseMs) / 3 - 50);
    });

    it('fails a job that kills its worker on every attempt', async () => {
      const spec = h.fresh();
      const q = open(spec);
      const { job } = await enqueue(q, 'crasher', 2);
      for (const attempt of [1, 2]) {
        const w = child(spec);
        expect(await w.started).toBe(job.id);
        expect((await q.get(job.id))?.attempts).toBe(attempt);
        await kill9(w.child);
      }
      let ran = 0;
      consume(q, {
        handler: async () => {
          ran++;
          return OK;
        },
      });
      const done = await waitFor('the job to fail', async () => {
        const j = await q.get(job.id);
        return j?.state === 'failed' ? j : null;
      });
      expect(done).toMatchObject({
        attempts: 2,
        error: { code: 'lease_expired_too_often', retryable: false },
      });
      expect(ran).toBe(0);
    });

    it('on stop, finishes quick jobs and hands slow ones back, uncounted', async () => {
      const spec = h.fresh();
      const q = open(spec);
      const quick = (await q.enqueue({ kind: 'fix', payload: {}, idempotencyKey: 'quick', repo: 'octo/q' }))
        .job;
      const slow = (await q.enqueue({ kind: 'fix', payload: {}, idempotencyKey: 'slow', repo: 'octo/s' }))
        .job;
      const started = new Set<string>();
      const c = q.consume({
        concurrency: 2,
        leaseMs: TIMING.leaseMs,
        pollMs: TIMING.pollMs,
        handler: async (j, { signal }) => {
          started.add(j.id);
          await sleep(j.id === quick.id ? 150 : 5_000, signal);
          return OK;
        },
      });
      await waitFor('both jobs to start', async () => started.size === 2);
      const report = await c.stop({ graceMs: 400 });
      expect(report).toEqual({ finished: 1, handedBack: 1 });
      expect(await q.get(quick.id)).toMatchObject({ state: 'succeeded', attempts: 1 });
      expect(await q.get(slow.id)).toMatchObject({ state: 'queued', attempts: 0, leaseOwner: null });
      consume(q, { handler: async () => OK });
      const done = await waitFor('the handed-back job', async () => {
        const j = await q.get(slow.id);
        return j?.state === 'succeeded' ? j : null;
      });
      expect(done.attempts).toBe(1);
    });
  });
});
