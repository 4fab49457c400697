/**
 * `conjecture eval run`: the agent on each SWE-bench instance, `workers` at a time, each instance in
 * its own checkout and sandbox. An instance that throws is recorded as `error` and the run goes on;
 * an instance with a result line is skipped unless `redo`; when `signal` fires no new instance
 * starts, running ones are aborted and left unrecorded (they run again next time). With a `queue`
 * the instances become `eval` jobs that any worker may run (this process too, when `workers` > 0).
 */
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Consumer, JobQueue } from '../jobs/types.ts';
import { crashedLine, type InstanceRunner } from './agent-instance.ts';
import { type EvalRunSettings, enqueueInstance, outcomeOfJob } from './eval-queue.ts';
import type { SwebenchInstance } from './instances.ts';
import type { InstanceOutcome, RunResultLine, RunStore } from './run-store.ts';
import { runPool } from './score.ts';

export type RunEvent =
  | { type: 'planned'; total: number; skipped: number }
  | { type: 'started'; instanceId: string }
  | { type: 'recorded'; line: RunResultLine };

export interface RunEvaluationOptions {
  instances: SwebenchInstance[];
  store: RunStore;
  runner: InstanceRunner;
  /** With a queue, how this process's workers run jobs of other runs (another model or label). */
  runnerFor?: (settings: EvalRunSettings) => InstanceRunner;
  /** Instances run at once by this process (0 with a queue: only enqueue and collect). */
  workers: number;
  settings: EvalRunSettings;
  redo?: boolean;
  queue?: JobQueue;
  /** With a queue and `workers` > 0: starts this process's workers on it (src/cli/compose). */
  startWorker?: StartEvalWorker;
  /** How often queued jobs are checked for results (default 2 s). */
  pollMs?: number;
  leaseMs?: number;
  logger: Logger;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

/** A worker for `eval` jobs on `queue`, each instance run by `runnerFor(its settings)`. */
export type StartEvalWorker = (options: {
  queue: JobQueue;
  runnerFor: (settings: EvalRunSettings) => InstanceRunner;
  concurrency: number;
  leaseMs?: number;
  pollMs?: number;
  logger: Logger;
}) => Consumer;

export interface RunReport {
  total: number;
  skipped: number;
  recorded: number;
  /** Instances still without a result line (interrupted, or cancelled jobs). */
  remaining: string[];
  interrupted: boolean;
}

export async function runEvaluation(opts: RunEvaluationOptions): Promise<RunReport> {
  const done = opts.store.done();
  const pending = opts.instances.filter((i) => opts.redo || !done.has(i.instance_id));
  const recordedIds = new Set<string>();
  opts.onEvent?.({
    type: 'planned',
    total: opts.instances.length,
    skipped: opts.instances.length - pending.length,
  });
  const record = async (outcome: InstanceOutcome) => {
    await opts.store.record(outcome);
    recordedIds.add(outcome.line.instance_id);
    opts.onEvent?.({ type: 'recorded', line: outcome.line });
  };
  if (opts.queue) await runQueued(opts, pending, record);
  else await runLocal(opts, pending, record);
  return {
    total: opts.instances.length,
    skipped: opts.instances.length - pending.length,
    recorded: recordedIds.size,
    remaining: pending.map((i) => i.instance_id).filter((id) => !recordedIds.has(id)),
    interrupted: opts.signal?.aborted ?? false,
  };
}

type RecordFn = (outcome: InstanceOutcome) => Promise<void>;

async function runLocal(opts: RunEvaluationOptions, pending: SwebenchInstance[], record: RecordFn) {
  const { signal, settings } = opts;
  await runPool(pending, Math.max(1, opts.workers), async (instance) => {
    if (signal?.aborted) return;
    opts.onEvent?.({ type: 'started', instanceId: instance.instance_id });
    const t = Date.now();
    let outcome: InstanceOutcome;
    try {
      outcome = await opts.runner(instance, { signal, worker: 'local' });
    } catch (err) {
      if (signal?.aborted) return;
      // The crash boundary for one instance: recorded as an error, the run goes on.
      opts.logger.error({ err, instance: instance.instance_id }, 'eval instance crashed');
      const line = crashedLine(
        instance.instance_id,
        settings.label,
        describeError(err),
        Date.now() - t,
        'local',
      );
      outcome = { line, patch: '', trace: '' };
    }
    if (outcome.line.exit_status === 'cancelled' || signal?.aborted) return;
    await record({ ...outcome, line: { ...outcome.line, worker: 'local' } });
  });
}

async function runQueued(opts: RunEvaluationOptions, pending: SwebenchInstance[], record: RecordFn) {
  const queue = opts.queue as JobQueue;
  const { signal, settings } = opts;
  const jobs = new Map<string, string>();
  for (const instance of pending) {
    if (signal?.aborted) break;
    const job = await enqueueInstance(queue, settings, instance);
    jobs.set(instance.instance_id, job.id);
  }
  if (opts.workers > 0 && !opts.startWorker)
    throw new Error('runEvaluation: a queue with workers > 0 needs startWorker');
  const local =
    opts.workers > 0 && opts.startWorker
      ? opts.startWorker({
          queue,
          runnerFor: (s) =>
            s.runId === settings.runId ? opts.runner : (opts.runnerFor ?? (() => opts.runner))(s),
          concurrency: opts.workers,
          leaseMs: opts.leaseMs,
          pollMs: Math.min(opts.pollMs ?? 1000, 1000),
          logger: opts.logger,
        })
      : null;
  const started = new Set<string>();
  try {
    while (jobs.size > 0 && !signal?.aborted) {
      for (const [id, jobId] of jobs) {
        const job = await queue.get(jobId);
        if (!job || job.state === 'cancelled') {
          jobs.delete(id);
          continue;
        }
        if (job.state === 'running' && !started.has(id)) {
          started.add(id);
          opts.onEvent?.({ type: 'started', instanceId: id });
        }
        const outcome = outcomeOfJob(job, settings.label, id);
        if (!outcome) continue;
        jobs.delete(id);
        await record(outcome);
      }
      if (jobs.size > 0) await sleep(opts.pollMs ?? 2000, signal);
    }
  } finally {
    // Ctrl-C: nothing more of this run may start anywhere, and what runs is stopped. Cancelling
    // again after the local stop catches the jobs it handed back to the queue.
    const cancelAll = async () => {
      for (const jobId of jobs.values())
        await queue.cancel(jobId, { by: 'eval-run', reason: 'the eval run was interrupted' });
    };
    if (signal?.aborted) await cancelAll();
    await local?.stop({ graceMs: signal?.aborted ? 0 : 30_000 });
    if (signal?.aborted) await cancelAll();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
