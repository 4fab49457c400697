/**
 * `eval run` and `eval worker` (see eval.ts for the flags): builds the model, sandboxes, workspace and
 * (with `--queue`) the job queue, runs the instances with a progress line, and turns Ctrl-C into a
 * clean stop: no new instance, running ones aborted, files consistent, exit 130.
 */
import { join, resolve } from 'node:path';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../core/log.ts';
import type { EvalRunSettings, InstanceRunner } from '../../eval/index.ts';
import type { CommandContext } from '../command.ts';
import { UsageError } from '../errors.ts';
import { PACKAGE_ROOT, readVersion } from '../version.ts';
import { loadSelection } from './eval-select.ts';
import { warnAboutContext } from './model.ts';

export const EXIT_INTERRUPTED = 130;

interface Parts {
  config: Config;
  logger: Logger;
  cacheDir: string;
  runnerFor(settings: Pick<EvalRunSettings, 'label' | 'modelName' | 'imageTemplate'>): InstanceRunner;
  idle(): Promise<void>;
}

async function buildParts(ctx: CommandContext): Promise<Parts> {
  const flags: Record<string, unknown> = {};
  if (typeof ctx.options.model === 'string') flags['model.name'] = ctx.options.model;
  if (typeof ctx.options['base-url'] === 'string') flags['model.baseUrl'] = ctx.options['base-url'];
  const [{ loadConfig }, { resolveStateDir }, evaluation, sandbox, workspace, model] = await Promise.all([
    import('../../config/load.ts'),
    import('../../config/state-dir.ts'),
    import('../../eval/index.ts'),
    import('../../sandbox/index.ts'),
    import('../../workspace/index.ts'),
    import('../../model/index.ts'),
  ]);
  const loaded = loadConfig({
    env: ctx.io.env,
    cwd: ctx.io.cwd,
    userFile: ctx.global.configFile,
    flags: { ...ctx.global.flags, ...flags },
  }).config;
  const logger = ctx.createLogger();
  // The server's real context is the agent's budget (unless configured); asked once per run, and
  // what the run's stamp records.
  const { serverContext } = await import('../../model/embedded/provider.ts');
  const context = await serverContext(loaded.model, { logger });
  warnAboutContext(ctx, context.warnings);
  const config: Config = { ...loaded, model: { ...loaded.model, contextWindow: context.contextWindow } };
  const str = (name: string) =>
    typeof ctx.options[name] === 'string' ? resolve(ctx.io.cwd, ctx.options[name] as string) : undefined;
  const cacheDir = str('cache-dir') ?? join(resolveStateDir(config, ctx.io.env, ctx.io.cwd), 'eval-cache');
  const sandboxes = sandbox.createSandboxProvider(config, logger);
  const cache = workspace.createWorkspaceCache({ cacheDir, logger });
  const mirrorDir = str('mirror-dir');
  // One dependency cache for every instance of the run, and the same one `eval score` uses.
  const setup = evaluation.createSetupContext({
    provider: sandboxes,
    config,
    logger,
    cacheDir,
    runAs: evaluation.runAsFromUser(config.sandbox.user, process.getuid?.() === 0),
    caFile: str('ca-file'),
  });
  return {
    config,
    logger,
    cacheDir,
    runnerFor: (s) =>
      evaluation.createAgentInstanceRunner({
        deps: {
          model: model.createOpenAIModel({ ...config.model, name: s.modelName }, { logger }),
          sandboxes,
          workspace: cache,
          logger,
        },
        config,
        label: s.label,
        workDir: join(cacheDir, 'agent-runs'),
        mirrorDir,
        imageTemplate: s.imageTemplate,
        setup,
      }),
    idle: () => cache.idle(),
  };
}

/** The reproducibility stamp recorded in run.json when a run starts (src/eval/stamp.ts). */
async function runStamp(config: Config) {
  const [evaluation, { loadPrompts }, { dockerApiFromConfig }] = await Promise.all([
    import('../../eval/index.ts'),
    import('../../agent/index.ts'),
    import('../../sandbox/index.ts'),
  ]);
  const imageDigest = await dockerApiFromConfig(config)
    .call<{ Id?: string }>('GET', `/images/${encodeURIComponent(config.sandbox.image)}/json`, undefined, {
      timeoutMs: 5_000,
    })
    .then(
      (r) => (r.status === 200 && typeof r.body.Id === 'string' ? r.body.Id : null),
      () => null,
    );
  return evaluation.collectRunStamp({
    config,
    modelName: config.model.name,
    version: readVersion(),
    prompts: loadPrompts(config.agent.promptsDir),
    sourceRoot: PACKAGE_ROOT,
    imageDigest,
  });
}

/** Aborts on the first SIGINT/SIGTERM; the handlers are removed by the returned function. */
export function interruptible(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    release() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

export async function runEvalRun(ctx: CommandContext, need: (name: string) => string): Promise<number> {
  const o = ctx.options;
  const instancesPath = resolve(ctx.io.cwd, need('instances'));
  const outDir = resolve(ctx.io.cwd, need('out'));
  const workers = count(o.workers, '--workers', o.queue !== undefined ? 0 : 1) ?? 1;
  const evaluation = await import('../../eval/index.ts');
  const parts = await buildParts(ctx);
  const { selected: instances } = await loadSelection(ctx, instancesPath);
  const label = typeof o.label === 'string' ? o.label : `conjecture/${parts.config.model.name}`;
  const store = await evaluation.openRunStore(outDir, {
    model_name_or_path: label,
    instances_file: instancesPath,
    newRun: o.redo === true,
    stamp: await runStamp(parts.config),
  });
  const settings: EvalRunSettings = {
    runId: store.meta.run_id,
    label,
    modelName: parts.config.model.name,
    ...(typeof o['image-template'] === 'string' ? { imageTemplate: o['image-template'] } : {}),
  };
  const queue =
    typeof o.queue === 'string'
      ? (await import('../../jobs/open.ts')).openJobQueue(evaluation.evalQueueSettings(o.queue, ctx.io.cwd), {
          stateDir: parts.cacheDir,
          logger: parts.logger,
          lane: 'eval',
        })
      : undefined;
  const tally = evaluation.createRunTally(store.results());
  const step = ctx.progress.start(`eval run ${store.meta.run_id.slice(-8)} (${instances.length} instances)`);
  const stop = interruptible();
  try {
    const report = await evaluation.runEvaluation({
      instances,
      store,
      runner: parts.runnerFor(settings),
      runnerFor: parts.runnerFor,
      workers,
      settings,
      redo: o.redo === true,
      queue,
      startWorker: (await import('../compose/worker.ts')).startEvalWorker,
      pollMs: count(o['poll-ms'], '--poll-ms', 1),
      leaseMs: count(o['lease-ms'], '--lease-ms', 1) ?? parts.config.queue.leaseMs,
      logger: parts.logger,
      signal: stop.signal,
      onEvent: (e) => {
        evaluation.applyRunEvent(tally, e);
        step.update(evaluation.formatRunProgress(tally));
      },
    });
    await parts.idle();
    const line = `${report.recorded} run now, ${report.skipped} already done, ${report.remaining.length} not finished`;
    ctx.out.data({ runId: store.meta.run_id, out: outDir, ...report });
    if (report.interrupted) {
      step.fail(line);
      ctx.out.line(`interrupted: ${line}; results so far are in ${outDir}`);
      ctx.out.line('rerun the same command to resume (finished instances are skipped)');
      return EXIT_INTERRUPTED;
    }
    step.succeed(line);
    ctx.out.line(
      `predictions: ${join(outDir, evaluation.PREDS_FILE)} (score them with: conjecture eval score)`,
    );
    ctx.out.line(`results: ${join(outDir, evaluation.RESULTS_FILE)}, traces: ${join(outDir, 'traces')}`);
    return 0;
  } finally {
    stop.release();
    await queue?.close();
  }
}

export async function runEvalWorker(ctx: CommandContext, need: (name: string) => string): Promise<number> {
  const queueArg = need('queue');
  const [evaluation, jobs, { startEvalWorker }] = await Promise.all([
    import('../../eval/index.ts'),
    import('../../jobs/open.ts'),
    import('../compose/worker.ts'),
  ]);
  const parts = await buildParts(ctx);
  const concurrency = count(ctx.options.workers, '--workers', 1) ?? 1;
  const queue = jobs.openJobQueue(evaluation.evalQueueSettings(queueArg, ctx.io.cwd), {
    stateDir: parts.cacheDir,
    logger: parts.logger,
    lane: 'eval',
  });
  const runners = new Map<string, InstanceRunner>();
  const worker = startEvalWorker({
    queue,
    runnerFor: (s) => {
      const key = JSON.stringify([s.label, s.modelName, s.imageTemplate]);
      const runner = runners.get(key) ?? parts.runnerFor(s);
      runners.set(key, runner);
      return runner;
    },
    concurrency,
    leaseMs: count(ctx.options['lease-ms'], '--lease-ms', 1) ?? parts.config.queue.leaseMs,
    pollMs: count(ctx.options['poll-ms'], '--poll-ms', 1),
    logger: parts.logger,
  });
  ctx.out.line(`eval worker consuming the ${queue.backend} queue (concurrency ${concurrency})`);
  const stop = interruptible();
  await new Promise((r) => stop.signal.addEventListener('abort', r, { once: true }));
  stop.release();
  const report = await worker.stop({ graceMs: parts.config.server.shutdownGraceMs });
  parts.logger.info(report, 'eval worker stopped');
  await queue.close();
  return 0;
}

function count(value: unknown, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${flag} expects a whole number of at least ${min}`, 'eval');
  return n;
}
