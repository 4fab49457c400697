/**
 * Distributed runs (issue 6, item 4): one `eval` job per instance on the app's `JobQueue`, run by
 * any worker with the eval handler (src/work/eval-job.ts), collected by the `eval run` process.
 * Workers may be on other machines, so everything the run directory needs (result line, patch, trace) travels back in the
 * job result; the payload carries the instance and the run's settings, never a secret (each worker
 * uses its own model endpoint and key).
 */
import { resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { ConjectureError } from '../core/errors.ts';
import type { QueueSettings } from '../jobs/open.ts';
import type { JobQueue, JobRecord, JobResult } from '../jobs/types.ts';
import { crashedLine } from './agent-instance.ts';
import { instanceSchema, type SwebenchInstance } from './instances.ts';
import { type InstanceOutcome, type RunResultLine, runResultSchema } from './run-store.ts';

export const EVAL_JOB_KIND = 'eval';

/** What travels with the job; the worker supplies the model endpoint, sandboxes and mirrors. */
export const evalRunSettingsSchema = z.object({
  runId: z.string().min(1),
  label: z.string().min(1),
  /** The model every worker must ask for, so one run measures one model. */
  modelName: z.string().min(1),
  imageTemplate: z.string().optional(),
});
export type EvalRunSettings = z.infer<typeof evalRunSettingsSchema>;

/** An `eval` job's payload: the run's settings and the instance (src/work/eval-job.ts runs it). */
export const evalJobPayloadSchema = evalRunSettingsSchema.extend({ instance: instanceSchema });

const resultDetailSchema = z.object({
  eval: z.literal(1),
  line: runResultSchema,
  patch: z.string(),
  /** The trace, gzipped and base64-encoded (traces are mostly repeated JSON keys). */
  traceGz: z.string(),
});

/**
 * `--queue`: `redis://…` / `rediss://…`, else a SQLite file (`sqlite:PATH` or a plain path). Use a
 * queue (or Redis database) of its own: a worker without the eval handler fails eval jobs it claims.
 */
export function evalQueueSettings(value: string, cwd: string): QueueSettings {
  // Eval jobs of one repository may run side by side; the app's one-per-repository rule is for PRs.
  const limits = { perRepository: 10_000, perInstallation: 10_000 };
  if (/^rediss?:\/\//.test(value)) return { backend: 'redis', redisUrl: value, ...limits };
  const path = value.replace(/^sqlite:/, '');
  if (!path)
    throw new ConjectureError(`--queue "${value}" names no queue`, {
      code: 'usage',
      hint: 'use --queue redis://HOST:PORT[/DB] or --queue PATH/TO/FILE.sqlite',
    });
  return { backend: 'sqlite', sqlitePath: resolve(cwd, path), ...limits };
}

/** Enqueues one instance; a job cancelled by an interrupted run is replaced by a fresh one. */
export async function enqueueInstance(
  queue: JobQueue,
  settings: EvalRunSettings,
  instance: SwebenchInstance,
): Promise<JobRecord> {
  for (let n = 1; n <= 50; n++) {
    const key = `eval:${settings.runId}:${instance.instance_id}${n > 1 ? `:${n}` : ''}`;
    const { job } = await queue.enqueue({
      kind: EVAL_JOB_KIND,
      payload: { ...settings, instance },
      idempotencyKey: key,
      repo: instance.repo,
      maxAttempts: 3,
    });
    if (job.state !== 'cancelled') return job;
  }
  throw new Error(`instance ${instance.instance_id} was cancelled 50 times in run ${settings.runId}`);
}

export function encodeOutcome(outcome: InstanceOutcome): JobResult {
  const { line } = outcome;
  return {
    exitStatus: line.exit_status,
    usage: { promptTokens: line.prompt_tokens, completionTokens: line.completion_tokens },
    costUsd: line.cost_usd,
    detail: JSON.stringify({
      eval: 1,
      line,
      patch: outcome.patch,
      traceGz: gzipSync(outcome.trace).toString('base64'),
    }),
  };
}

/** The outcome a finished job carries; a failed job becomes a crashed line; null while unfinished. */
export function outcomeOfJob(job: JobRecord, label: string, instanceId: string): InstanceOutcome | null {
  if (job.state === 'succeeded' && job.result?.detail) {
    const d = resultDetailSchema.parse(JSON.parse(job.result.detail));
    return {
      line: d.line as RunResultLine,
      patch: d.patch,
      trace: gunzipSync(Buffer.from(d.traceGz, 'base64')).toString('utf8'),
    };
  }
  if (job.state === 'failed' || job.state === 'succeeded') {
    const why = job.error ? `${job.error.code}: ${job.error.message}` : 'the job ended without a result';
    return { line: crashedLine(instanceId, label, why, 0, job.id), patch: '', trace: '' };
  }
  return null;
}
