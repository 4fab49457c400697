/**
 * `eval score` (see eval.ts for the flags): grades predictions into `--out`, resuming what an earlier
 * score of the same predictions finished there (`--redo` starts over). Ctrl-C stops cleanly: no new
 * instance, running ones abandoned, results and summary kept for the finished ones, exit 130. An
 * instance that could not be evaluated at all (clone, install or sandbox failure) makes the exit 1.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandContext } from '../command.ts';
import { EXIT_FAILURE, UsageError } from '../errors.ts';
import { EXIT_INTERRUPTED, interruptible } from './eval-run.ts';
import { loadSelection } from './eval-select.ts';

export async function runEvalScore(ctx: CommandContext, need: (name: string) => string): Promise<number> {
  const instancesPath = resolve(ctx.io.cwd, need('instances'));
  const predsArg = need('preds');
  const outDir = resolve(ctx.io.cwd, need('out'));
  if (existsSync(resolve(outDir, 'run.json')))
    throw new UsageError(
      `${outDir} is an eval run directory; its results.jsonl is the run's record. Score into ${resolve(outDir, 'score')}`,
      'eval',
    );
  const workers = positive(ctx.options.workers, '--workers') ?? 1;
  const timeoutMs = positive(ctx.options['timeout-ms'], '--timeout-ms');
  const str = (name: string) =>
    typeof ctx.options[name] === 'string' ? resolve(ctx.io.cwd, ctx.options[name] as string) : undefined;

  const [evaluation, { resolveStateDir }, { createSandboxProvider }] = await Promise.all([
    import('../../eval/index.ts'),
    import('../../config/state-dir.ts'),
    import('../../sandbox/index.ts'),
  ]);
  const { config } = ctx.loadConfig();
  const { all, selected: instances } = await loadSelection(ctx, instancesPath);
  const predictions =
    predsArg === 'gold'
      ? evaluation.goldPredictions(instances)
      : await evaluation.readPredictions(resolve(ctx.io.cwd, predsArg));
  // Predictions of instances left out by --filter/--slice are not strays: drop them quietly.
  const chosen = new Set(instances.map((i) => i.instance_id));
  for (const i of all) if (!chosen.has(i.instance_id)) predictions.delete(i.instance_id);
  if (!instances.some((i) => predictions.has(i.instance_id)))
    throw new UsageError(
      `none of the ${instances.length} selected instances has a prediction in ${predsArg} (${predictions.size} predictions, for other instance ids); nothing to score`,
      'eval',
    );

  const step = ctx.progress.start(`evaluating ${instances.length} instances with ${workers} worker(s)`);
  let planned = { evaluate: 0, reused: 0 };
  let done = 0;
  const errors = new Map<string, string>();
  const stop = interruptible();
  let summary: Awaited<ReturnType<typeof evaluation.scoreInstances>>;
  const logger = ctx.createLogger();
  try {
    summary = await evaluation.scoreInstances({
      instances,
      predictions,
      outDir,
      cacheDir: str('cache-dir') ?? resolve(resolveStateDir(config, ctx.io.env, ctx.io.cwd), 'eval-cache'),
      mirrorDir: str('mirror-dir'),
      imageTemplate:
        typeof ctx.options['image-template'] === 'string' ? ctx.options['image-template'] : undefined,
      workers,
      config,
      logger,
      provider: createSandboxProvider(config, logger),
      testTimeoutMs: timeoutMs,
      caFile: str('ca-file'),
      keepCheckouts: ctx.options['keep-checkouts'] === true,
      redo: ctx.options.redo === true,
      signal: stop.signal,
      onPlanned: (plan) => {
        planned = plan;
        if (plan.reused > 0)
          step.update(`${plan.reused} already scored in ${outDir} (reused; --redo scores them again)`);
      },
      onResult: (r) => {
        if (r.status === 'error') errors.set(r.instance_id, r.error ?? 'see its eval.log');
        step.update(`${++done}/${planned.evaluate} ${r.instance_id}: ${r.status}`);
      },
    });
  } finally {
    stop.release();
  }
  const interrupted = stop.signal.aborted;
  const unfinished = summary.incomplete_ids.filter((id) => predictions.has(id));
  // Could not be evaluated at all (not a patch that failed to apply: that is the prediction's result).
  const failed = [...errors.keys()].sort();
  const counts = `${done} scored now, ${planned.reused} reused from an earlier score`;
  ctx.out.data({
    ...summary,
    scored_now: done,
    reused: planned.reused,
    interrupted,
    not_finished: unfinished,
  });
  ctx.out.line(
    `total ${summary.total_instances}, submitted ${summary.submitted_instances}, completed ${summary.completed_instances}`,
  );
  ctx.out.line(
    `resolved ${summary.resolved_instances}, unresolved ${summary.unresolved_instances}, empty patch ${summary.empty_patch_instances}, error ${summary.error_instances}`,
  );
  for (const id of summary.patch_failed_ids) ctx.out.line(`  patch does not apply: ${id}`);
  for (const id of failed) ctx.out.line(`  could not evaluate ${id}: ${errors.get(id)}`);
  ctx.out.line(`reports in ${outDir} (summary.json, results.jsonl, <instance>/report.json)`);
  if (interrupted) {
    step.fail(`interrupted: ${counts}, ${unfinished.length} not finished`);
    ctx.out.line(
      `interrupted: ${counts}, ${unfinished.length} not finished; results so far are in ${outDir}`,
    );
    ctx.out.line('rerun the same command to resume (finished instances are not scored again)');
    return EXIT_INTERRUPTED;
  }
  if (failed.length > 0) {
    step.fail(`${failed.length} of ${summary.submitted_instances} could not be evaluated`);
    ctx.out.line(
      `${failed.length} instance(s) could not be evaluated (see <instance>/eval.log); fix the cause and rerun the same command: only they run again`,
    );
    return EXIT_FAILURE;
  }
  step.succeed(`${summary.resolved_instances}/${summary.total_instances} resolved (${counts})`);
  return 0;
}

function positive(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} expects a whole number of at least 1`, 'eval');
  return n;
}
