/** Distributed `eval run` over the SQLite job queue (a file in a temp dir): no Docker, no network. */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEvalWorker } from '../../src/cli/compose/worker.ts';
import { silentLogger } from '../../src/core/log.ts';
import { type EvalRunSettings, evalQueueSettings, runEvaluation } from '../../src/eval/index.ts';
import { openRunStore, tracePath } from '../../src/eval/run-store.ts';
import { createSqliteJobQueue } from '../../src/jobs/sqlite/queue.ts';
import type { Consumer, JobQueue } from '../../src/jobs/types.ts';
import { createWorker } from '../../src/jobs/worker.ts';
import { createEvalJobHandler } from '../../src/work/index.ts';
import { fakeInstances, fakeRunner } from './run-support.ts';

const logger = silentLogger();
const LIMITS = { perRepository: 100, perInstallation: 100 };
const opened: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of opened.splice(0).reverse()) await c.close();
});

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'eval-queue-'));
  const queue = createSqliteJobQueue({ path: join(dir, 'jobs.sqlite'), limits: LIMITS });
  opened.push(queue);
  const store = await openRunStore(join(dir, 'out'), { model_name_or_path: 'fake-model' });
  const settings: EvalRunSettings = { runId: store.meta.run_id, label: 'fake-model', modelName: 'm' };
  return { dir, queue, store, settings };
}

function remoteWorker(queue: JobQueue, runner: ReturnType<typeof fakeRunner>['runner']): Consumer {
  const worker = createWorker({
    queue,
    handlers: { eval: createEvalJobHandler({ runnerFor: () => runner, logger }) },
    concurrency: 2,
    leaseMs: 5_000,
    pollMs: 20,
    logger,
  });
  opened.push({ close: () => worker.stop({ graceMs: 0 }) });
  return worker;
}

describe('runEvaluation with a queue', () => {
  it('runs instances as eval jobs on this process and collects results, traces and crashes', async () => {
    const { queue, store, settings } = await setup();
    const fake = fakeRunner({ crash: ['owner__repo-3'] });
    const report = await runEvaluation({
      instances: fakeInstances(3),
      store,
      runner: fake.runner,
      workers: 1,
      startWorker: startEvalWorker,
      settings,
      queue,
      pollMs: 20,
      logger,
    });
    expect(report).toMatchObject({ recorded: 3, remaining: [], interrupted: false });
    const { jobs } = await queue.list({ limit: 10 });
    expect(jobs.map((j) => j.kind)).toEqual(['eval', 'eval', 'eval']);
    expect(jobs.every((j) => j.state === 'succeeded')).toBe(true);
    const lines = new Map(store.results().map((l) => [l.instance_id, l]));
    expect(lines.get('owner__repo-3')).toMatchObject({ exit_status: 'error', outcome: 'crashed' });
    expect(jobs.map((j) => j.id)).toContain(lines.get('owner__repo-1')?.worker);
    // The trace made the round trip through the job result (gzip + base64).
    expect(await readFile(tracePath(store.dir, 'owner__repo-1'), 'utf8')).toContain('"format_error"');
  });

  it('with --workers 0 only enqueues and collects; another process runs the jobs', async () => {
    const { queue, store, settings } = await setup();
    const fake = fakeRunner();
    remoteWorker(queue, fake.runner);
    const unused = fakeRunner();
    const report = await runEvaluation({
      instances: fakeInstances(3),
      store,
      runner: unused.runner,
      workers: 0,
      settings,
      queue,
      pollMs: 20,
      logger,
    });
    expect(report.recorded).toBe(3);
    expect(unused.calls).toEqual([]);
    expect(fake.calls.sort()).toEqual(['owner__repo-1', 'owner__repo-2', 'owner__repo-3']);
  });

  it('Ctrl-C cancels the run’s jobs; the rerun replaces cancelled jobs and runs each instance once', async () => {
    const { queue, store, settings } = await setup();
    const controller = new AbortController();
    const first = fakeRunner({
      hang: ['owner__repo-2'],
      onStart: (id) => {
        if (id === 'owner__repo-2') setTimeout(() => controller.abort(), 30);
      },
    });
    const stopped = await runEvaluation({
      instances: fakeInstances(3),
      store,
      runner: first.runner,
      workers: 1,
      startWorker: startEvalWorker,
      settings,
      queue,
      pollMs: 20,
      logger,
      signal: controller.signal,
    });
    expect(stopped.interrupted).toBe(true);
    expect(store.results().map((l) => l.instance_id)).toEqual(['owner__repo-1']);
    const states = (await queue.list({ limit: 10 })).jobs.map((j) => j.state).sort();
    expect(states).toEqual(['cancelled', 'cancelled', 'succeeded']);

    const second = fakeRunner();
    const resumed = await openRunStore(store.dir, { model_name_or_path: 'fake-model' });
    const report = await runEvaluation({
      instances: fakeInstances(3),
      store: resumed,
      runner: second.runner,
      workers: 1,
      startWorker: startEvalWorker,
      settings,
      queue,
      pollMs: 20,
      logger,
    });
    expect(report).toMatchObject({ skipped: 1, recorded: 2, remaining: [] });
    expect(second.calls.sort()).toEqual(['owner__repo-2', 'owner__repo-3']);
    expect(resumed.results()).toHaveLength(3);
  });
});

describe('evalQueueSettings', () => {
  it('takes redis URLs as Redis and anything else as a SQLite file', () => {
    expect(evalQueueSettings('redis://127.0.0.1:6379/2', '/w')).toMatchObject({
      backend: 'redis',
      redisUrl: 'redis://127.0.0.1:6379/2',
    });
    expect(evalQueueSettings('sqlite:q.sqlite', '/w')).toMatchObject({
      backend: 'sqlite',
      sqlitePath: '/w/q.sqlite',
    });
    expect(evalQueueSettings('/tmp/q.sqlite', '/w').sqlitePath).toBe('/tmp/q.sqlite');
  });
});
