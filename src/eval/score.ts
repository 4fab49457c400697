/**
 * `conjecture eval score`: evaluates predictions against SWE-bench instances, each in its own
 * checkout and sandboxes, `workers` at a time, one instance's failure never stopping the others.
 * Writes `<out>/<id>/{report.json,test_output.txt,eval.log,patch.diff}`, `<out>/results.jsonl`
 * (one line per instance, rewritten as each ends: score-store.ts) and `<out>/summary.json`
 * (SWE-bench's run report shape). Scoring into the same `<out>` again resumes: results of the same
 * predictions are reused (`redo` starts over). When `signal` fires no new instance starts, running
 * ones are abandoned unrecorded, and the summary covers what finished.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { SandboxProvider } from '../core/sandbox.ts';
import { createWorkspaceCache } from '../workspace/index.ts';
import { instanceReport } from './grading.ts';
import { runAsFromUser } from './host-run.ts';
import type { SwebenchInstance } from './instances.ts';
import type { EvalResult, Prediction } from './predictions.ts';
import { evaluateInstance, type InstanceContext, instanceDir } from './run-instance.ts';
import { openScoreStore } from './score-store.ts';
import { type EvalSummary, summarize } from './summary.ts';

export interface ScoreOptions {
  instances: SwebenchInstance[];
  /** By instance id; instances without one are counted but not run (SWE-bench's "not submitted"). */
  predictions: Map<string, Prediction>;
  outDir: string;
  /** Mirrors, checkouts and the dependency cache; reuse it across runs to skip installs. */
  cacheDir: string;
  /** `<dir>/<owner>__<name>.git` per repository, for offline runs; else `https://github.com/<repo>`. */
  mirrorDir?: string;
  /** Per-instance image, e.g. `sweb.eval.x86_64.{instance_id}`; default: sandbox.image. */
  imageTemplate?: string;
  workers?: number;
  config: Config;
  logger: Logger;
  /** The sandbox runtime (built by the caller: src/cli is the one place that builds runtimes). */
  provider: SandboxProvider;
  testTimeoutMs?: number;
  setupTimeoutMs?: number;
  /** CA bundle for the dependency install (a full bundle: it replaces npm's and pip's). */
  caFile?: string;
  keepCheckouts?: boolean;
  /** Defaults to whether this process runs as root; then host-side file work runs as sandbox.user. */
  isRoot?: boolean;
  runId?: string;
  /** Evaluate every instance again, discarding the results already in `outDir`. */
  redo?: boolean;
  signal?: AbortSignal;
  /** Before any work: how many submitted instances will be evaluated now and how many are reused. */
  onPlanned?: (plan: { evaluate: number; reused: number }) => void;
  onResult?: (result: EvalResult) => void;
}

export async function scoreInstances(opts: ScoreOptions): Promise<EvalSummary> {
  const outDir = resolve(opts.outDir);
  const cacheDir = resolve(opts.cacheDir);
  await mkdir(outDir, { recursive: true });
  const runId = opts.runId ?? new Date().toISOString().replace(/[:.]/g, '-');
  const labels = { 'conjecture.eval.run': runId };
  const { provider } = opts;
  const runAs = runAsFromUser(opts.config.sandbox.user, opts.isRoot ?? process.getuid?.() === 0);
  const ctx: InstanceContext = {
    provider,
    config: opts.config,
    logger: opts.logger,
    workspace: createWorkspaceCache({ cacheDir, logger: opts.logger }),
    setup: {
      provider,
      config: opts.config,
      logger: opts.logger,
      depsDir: join(cacheDir, 'deps'),
      runAs,
      timeoutMs: opts.setupTimeoutMs ?? 20 * 60_000,
      caFile: opts.caFile,
      labels,
      inflight: new Map(),
      signal: opts.signal,
    },
    outDir,
    mirrorDir: opts.mirrorDir ? resolve(opts.mirrorDir) : undefined,
    imageTemplate: opts.imageTemplate,
    runAs,
    testTimeoutMs: opts.testTimeoutMs ?? opts.config.validate.timeoutMs,
    keepCheckouts: opts.keepCheckouts ?? false,
    labels,
    signal: opts.signal,
  };

  const submitted = opts.instances.filter((i) => opts.predictions.has(i.instance_id));
  const known = new Set(opts.instances.map((i) => i.instance_id));
  const stray = [...opts.predictions.keys()].filter((id) => !known.has(id));
  if (stray.length > 0)
    opts.logger.warn(
      { ids: stray.slice(0, 10), count: stray.length },
      'predictions for unknown instances ignored',
    );

  const store = await openScoreStore(outDir, { redo: opts.redo });
  const predictionOf = (instance: SwebenchInstance) =>
    opts.predictions.get(instance.instance_id) as Prediction;
  const pending = submitted.filter((i) => !store.reusable(predictionOf(i)));
  opts.onPlanned?.({ evaluate: pending.length, reused: submitted.length - pending.length });
  const started = Date.now();
  const { signal } = opts;
  await runPool(pending, Math.max(1, opts.workers ?? 1), async (instance) => {
    if (signal?.aborted) return;
    const pred = predictionOf(instance);
    const log = opts.logger.child({ instance: instance.instance_id });
    const t = Date.now();
    let result: EvalResult;
    try {
      result = await evaluateInstance({ ...ctx, logger: log }, instance, pred);
    } catch (err) {
      if (signal?.aborted) return;
      // The crash boundary for one instance: record it and carry on with the rest.
      log.error({ err }, 'instance failed');
      result = await recordError(outDir, instance, pred, describeError(err), Date.now() - t);
    }
    // Interrupted while it ran: its tests may have been cut short, so it is no result; it runs next time.
    if (signal?.aborted) return;
    const recorded = await store.record(result, pred);
    log.info({ status: recorded.status, ms: recorded.duration_ms }, 'instance done');
    opts.onResult?.(recorded);
  });

  const results = submitted.flatMap((i) => store.get(i.instance_id) ?? []);
  const summary = summarize({
    instances: opts.instances,
    predictions: opts.predictions,
    results,
    runId,
    durationMs: Date.now() - started,
  });
  await writeFile(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

async function recordError(
  outDir: string,
  instance: SwebenchInstance,
  pred: Prediction,
  message: string,
  ms: number,
): Promise<EvalResult> {
  const dir = instanceDir(outDir, instance.instance_id);
  await mkdir(dir, { recursive: true });
  const report = instanceReport({ patch: pred.model_patch, applied: false });
  await writeFile(
    join(dir, 'report.json'),
    `${JSON.stringify({ [instance.instance_id]: report }, null, 2)}\n`,
  );
  return {
    instance_id: instance.instance_id,
    model_name_or_path: pred.model_name_or_path,
    status: 'error',
    resolution: null,
    fail_to_pass: null,
    pass_to_pass: null,
    duration_ms: ms,
    error: message.split('\n').slice(0, 3).join(' | '),
  };
}

/** Runs `fn` over `items` with at most `workers` at once, in order of the list. */
export async function runPool<T>(
  items: readonly T[],
  workers: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, items.length) }, lane));
}

/** Predictions that are each instance's own reference patch: the evaluator's self-check. */
export function goldPredictions(instances: SwebenchInstance[], model = 'gold'): Map<string, Prediction> {
  return new Map(
    instances.map((i) => [
      i.instance_id,
      { instance_id: i.instance_id, model_name_or_path: model, model_patch: i.patch },
    ]),
  );
}
