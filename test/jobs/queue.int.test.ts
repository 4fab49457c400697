/**
 * The JobQueue contract, run against both backends: idempotency, priorities, per-repository and
 * per-installation limits, retries with backoff, cancel, delivery de-duplication, listing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConjectureError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { ConsumeOptions, JobQueue, JobRecord } from '../../src/jobs/types.ts';
import { createWorker } from '../../src/jobs/worker.ts';
import { describeIf } from '../support/prereq.ts';
import { BACKENDS, createCleanup, openFromSpec, sleep, TIMING, waitFor } from './harness.ts';

const OK = { exitStatus: 'submitted' };

describe.each(BACKENDS)('job queue on $name', (h) => {
  describeIf(h.missing, `${h.name} backend`, () => {
    const cleanup = createCleanup();
    beforeAll(() => h.start());
    afterAll(() => h.stop());
    afterEach(() => cleanup.run());

    const open = (limits?: Parameters<typeof h.fresh>[0]): JobQueue => {
      const q = openFromSpec(h.fresh(limits));
      return cleanup.add(() => q.close(), q);
    };
    const consume = (q: JobQueue, o: Partial<ConsumeOptions> & Pick<ConsumeOptions, 'handler'>) => {
      const c = q.consume({ concurrency: 1, leaseMs: TIMING.leaseMs, pollMs: TIMING.pollMs, ...o });
      return cleanup.add(() => c.stop({ graceMs: 0 }), c);
    };
    const ended = (q: JobQueue, id: string) =>
      waitFor(`job ${id} to end`, async () => {
        const job = await q.get(id);
        return job && ['succeeded', 'failed', 'cancelled'].includes(job.state) ? job : null;
      });
    const job = (key: string, extra: Record<string, unknown> = {}) => ({
      kind: 'fix' as const,
      payload: { key },
      idempotencyKey: key,
      repo: 'octo/one',
      ...extra,
    });

    it('returns the existing job for a repeated idempotency key', async () => {
      const q = open();
      const first = await q.enqueue(job('delivery-1', { installationId: 7 }));
      const again = await q.enqueue(job('delivery-1', { repo: 'octo/other' }));
      expect(first.created).toBe(true);
      expect(again).toMatchObject({ created: false, job: { id: first.job.id, repo: 'octo/one' } });
      await q.enqueue(job('delivery-2'));
      await q.enqueue(job('delivery-3', { repo: 'octo/two' }));
      expect((await q.stats()).byState.queued).toBe(3);
      const page1 = await q.list({ limit: 2 });
      expect(page1.jobs.map((j) => j.idempotencyKey)).toEqual(['delivery-3', 'delivery-2']);
      const page2 = await q.list({ limit: 2, before: page1.nextBefore ?? '' });
      expect(page2).toEqual({ jobs: [expect.objectContaining({ id: first.job.id })], nextBefore: null });
      expect((await q.list({ limit: 10, repo: 'octo/two' })).jobs).toHaveLength(1);
      await expect(q.enqueue({ ...job('x'), repo: 'not a repo' })).rejects.toThrow(/owner\/name/);
    });

    it('prunes jobs that ended before a cut, and their keys can be used again', async () => {
      const q = open();
      const done = await q.enqueue(job('old-done'));
      const failing = await q.enqueue(job('old-failed', { repo: 'octo/two', maxAttempts: 1 }));
      const waiting = await q.enqueue(job('still-queued', { repo: 'octo/three' }));
      consume(q, {
        concurrency: 2,
        handler: async (j) => {
          if (j.idempotencyKey === 'old-failed') throw new ConjectureError('no', { code: 'x' });
          return OK;
        },
      });
      await ended(q, done.job.id);
      await ended(q, failing.job.id);
      await q.cancel(waiting.job.id, { by: 'test', reason: 'not yet' });

      expect(await q.prune({ finishedBefore: new Date(Date.now() - 60_000) })).toBe(0);
      expect(await q.prune({ finishedBefore: new Date(Date.now() + 1), limit: 2 })).toBe(2);
      expect(await q.prune({ finishedBefore: new Date(Date.now() + 1) })).toBe(1);
      expect(await q.get(done.job.id)).toBeNull();
      expect((await q.list({ limit: 10 })).jobs).toEqual([]);
      expect((await q.stats()).byState).toMatchObject({ succeeded: 0, failed: 0, cancelled: 0 });

      // A pruned key is free: the same request is a new job, and it runs.
      const again = await q.enqueue(job('old-failed', { repo: 'octo/two' }));
      expect(again.created).toBe(true);
      expect((await ended(q, again.job.id)).state).toBe('failed');
    });

    it('runs higher priorities first, then first come first served', async () => {
      const q = open();
      for (const [key, priority] of [
        ['low', -5],
        ['mid-a', 0],
        ['high', 10],
        ['mid-b', 0],
      ] as const) {
        await q.enqueue(job(key, { priority, repo: `octo/${key}` }));
      }
      const order: string[] = [];
      consume(q, {
        handler: async (j) => {
          order.push(j.idempotencyKey);
          return OK;
        },
      });
      await waitFor('all four jobs', async () => order.length === 4);
      expect(order).toEqual(['high', 'mid-a', 'mid-b', 'low']);
    });

    it('never runs more than the per-repository limit at once', async () => {
      const q = open({ perRepository: 1, perInstallation: 10 });
      for (const key of ['a1', 'a2', 'a3']) await q.enqueue(job(key, { repo: 'octo/a' }));
      await q.enqueue(job('b1', { repo: 'octo/b' }));
      const peak = trackConcurrency();
      consume(q, { concurrency: 3, handler: peak.handler((j) => j.repo, 150) });
      await waitFor('all jobs', async () => peak.done === 4);
      expect(peak.max.get('octo/a')).toBe(1);
      expect(peak.overall).toBeGreaterThanOrEqual(2);
    });

    it('never runs more than the per-installation limit at once', async () => {
      const q = open({ perRepository: 5, perInstallation: 2 });
      for (const n of [1, 2, 3, 4]) await q.enqueue(job(`i${n}`, { repo: `octo/r${n}`, installationId: 42 }));
      await q.enqueue(job('other', { repo: 'octo/other', installationId: 43 }));
      const peak = trackConcurrency();
      consume(q, { concurrency: 5, handler: peak.handler((j) => String(j.installationId), 150) });
      await waitFor('all jobs', async () => peak.done === 5);
      expect(peak.max.get('42')).toBe(2);
      expect(peak.overall).toBe(3);
    });

    it('retries a retryable failure with backoff, then succeeds', async () => {
      const q = open();
      const { job: j } = await q.enqueue(job('flaky', { maxAttempts: 3 }));
      const starts: number[] = [];
      consume(q, {
        handler: async () => {
          starts.push(Date.now());
          if (starts.length < 3)
            throw new ConjectureError('model busy', { code: 'model_busy', retryable: true });
          return OK;
        },
      });
      const done = await ended(q, j.id);
      expect(done).toMatchObject({ state: 'succeeded', attempts: 3, result: OK });
      const [s1 = 0, s2 = 0, s3 = 0] = starts;
      expect(s2 - s1).toBeGreaterThanOrEqual(TIMING.backoffMs - 5);
      expect(s3 - s2).toBeGreaterThanOrEqual(2 * TIMING.backoffMs - 5);
    });

    it('fails a non-retryable error at once, and a retryable one when attempts run out', async () => {
      const q = open();
      const { job: bad } = await q.enqueue(job('bad'));
      const { job: flaky } = await q.enqueue(job('always-flaky', { maxAttempts: 2, repo: 'octo/two' }));
      consume(q, {
        concurrency: 2,
        handler: async (j) => {
          const retryable = j.idempotencyKey === 'always-flaky';
          throw new ConjectureError('nope', { code: retryable ? 'model_busy' : 'patch_rejected', retryable });
        },
      });
      expect(await ended(q, bad.id)).toMatchObject({
        state: 'failed',
        attempts: 1,
        error: { code: 'patch_rejected', message: 'nope', retryable: false },
      });
      expect(await ended(q, flaky.id)).toMatchObject({
        state: 'failed',
        attempts: 2,
        error: { code: 'model_busy' },
      });
    });

    it('cancels a queued job at once; it never runs', async () => {
      const q = open();
      const { job: j } = await q.enqueue(job('doomed'));
      const outcome = await q.cancel(j.id, { by: 'alice', reason: 'not needed' });
      expect(outcome).toMatchObject({
        kind: 'cancelled',
        job: { state: 'cancelled', cancel: { by: 'alice' } },
      });
      expect(await q.cancel(j.id, { by: 'bob', reason: 'again' })).toMatchObject({ kind: 'already_ended' });
      expect(await q.cancel('j-missing', { by: 'bob', reason: '' })).toEqual({ kind: 'not_found' });
      let ran = 0;
      consume(q, {
        handler: async () => {
          ran++;
          return OK;
        },
      });
      await q.enqueue(job('later'));
      await waitFor('the later job', async () => (await q.stats()).byState.succeeded === 1);
      expect(ran).toBe(1);
      expect(await q.get(j.id)).toMatchObject({ state: 'cancelled', attempts: 0 });
    });

    it('cancels a running job: its signal fires and it ends cancelled, with who asked', async () => {
      const q = open();
      const { job: j } = await q.enqueue(job('long'));
      let aborted = false;
      consume(q, {
        handler: (_job, { signal }) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(signal.reason);
            });
          }),
      });
      await waitFor('the job to run', async () => (await q.get(j.id))?.state === 'running');
      const outcome = await q.cancel(j.id, { by: 'maintainer-bob', reason: 'wrong issue' });
      expect(outcome).toMatchObject({ kind: 'cancel_requested', job: { state: 'running' } });
      const done = await ended(q, j.id);
      expect(aborted).toBe(true);
      expect(done).toMatchObject({
        state: 'cancelled',
        cancel: { by: 'maintainer-bob', reason: 'wrong issue' },
      });
    });

    it('records progress while running', async () => {
      const q = open();
      const { job: j } = await q.enqueue(job('progress'));
      let release = () => {};
      consume(q, {
        handler: async (_job, { progress }) => {
          await progress({ phase: 'agent', step: 3, total: 30 });
          await new Promise<void>((r) => (release = r));
          return OK;
        },
      });
      await waitFor('progress', async () => (await q.get(j.id))?.progress?.step === 3);
      release();
      expect(await ended(q, j.id)).toMatchObject({ state: 'succeeded', progress: { phase: 'agent' } });
    });

    it('routes jobs to the handler for their kind; a kind nobody handles fails', async () => {
      const q = open();
      const { job: fix } = await q.enqueue(job('a-fix'));
      const { job: ev } = await q.enqueue({ ...job('an-eval', { repo: 'octo/eval' }), kind: 'eval' });
      const w = createWorker({
        queue: q,
        handlers: { fix: async (j) => ({ exitStatus: `fixed ${j.idempotencyKey}` }) },
        concurrency: 2,
        logger: silentLogger(),
        leaseMs: TIMING.leaseMs,
        pollMs: TIMING.pollMs,
      });
      cleanup.add(() => w.stop({ graceMs: 0 }), w);
      expect(await ended(q, fix.id)).toMatchObject({
        state: 'succeeded',
        result: { exitStatus: 'fixed a-fix' },
      });
      expect(await ended(q, ev.id)).toMatchObject({ state: 'failed', error: { code: 'unknown_job_kind' } });
    });

    it('remembers webhook deliveries', async () => {
      const q = open();
      expect(await q.recordDelivery('d-1')).toBe(true);
      expect(await q.recordDelivery('d-1')).toBe(false);
      expect(await q.recordDelivery('d-2')).toBe(true);
    });
  });
});

/** Counts how many jobs per group run at the same moment. */
function trackConcurrency() {
  const now = new Map<string, number>();
  const max = new Map<string, number>();
  const state = { max, overall: 0, done: 0, running: 0 };
  return Object.assign(state, {
    handler: (group: (j: JobRecord) => string, ms: number) => async (j: JobRecord) => {
      const g = group(j);
      now.set(g, (now.get(g) ?? 0) + 1);
      max.set(g, Math.max(max.get(g) ?? 0, now.get(g) ?? 0));
      state.running++;
      state.overall = Math.max(state.overall, state.running);
      await sleep(ms);
      now.set(g, (now.get(g) ?? 1) - 1);
      state.running--;
      state.done++;
      return OK;
    },
  });
}
