/**
 * `conjecture eval score`: grades predictions against SWE-bench instances in sandboxes, the way
 * SWE-bench's harness does (see docs/evaluation.md). `--preds gold` scores each instance's own
 * reference patch: the evaluator's self-check.
 */
import { resolve } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';

export const evalCommand = {
  name: 'eval',
  summary: 'evaluate SWE-bench predictions: eval score --instances FILE --preds FILE|gold --out DIR',
  usage:
    'eval score --instances FILE --preds FILE|gold --out DIR [--mirror-dir DIR] [--workers N] [--filter ID|/RE/]... [--slice A:B]',
  options: {
    instances: {
      type: 'string',
      valueName: 'FILE',
      description: 'SWE-bench instances, .jsonl or a .json array',
    },
    preds: {
      type: 'string',
      valueName: 'FILE|gold',
      description: 'predictions (preds.json list or dict, or JSONL); "gold" uses the reference patches',
    },
    out: {
      type: 'string',
      valueName: 'DIR',
      description: 'where reports, logs, results.jsonl and summary.json go',
    },
    'mirror-dir': {
      type: 'string',
      valueName: 'DIR',
      description: 'local mirrors <DIR>/<owner>__<name>.git (default: clone https://github.com/<repo>)',
    },
    'cache-dir': {
      type: 'string',
      valueName: 'DIR',
      description: 'mirrors, checkouts and installed dependencies (default: <stateDir>/eval-cache)',
    },
    workers: { type: 'string', valueName: 'N', description: 'instances evaluated at once (default 1)' },
    filter: {
      type: 'string',
      multiple: true,
      valueName: 'ID|/RE/',
      description: 'only these instance ids or patterns',
    },
    slice: {
      type: 'string',
      valueName: 'A:B',
      description: 'a Python-style slice of the (filtered) instances',
    },
    'timeout-ms': {
      type: 'string',
      valueName: 'MS',
      description: 'test phase limit per instance (default validate.timeoutMs)',
    },
    'ca-file': {
      type: 'string',
      valueName: 'FILE',
      description: 'a full CA bundle for the dependency install (behind a TLS-intercepting proxy)',
    },
    'keep-checkouts': { type: 'boolean', description: 'keep each instance checkout for inspection' },
  },
  async run(ctx) {
    if (ctx.args[0] !== 'score') throw new UsageError('expected a subcommand: eval score', 'eval');
    const need = (name: string) => {
      const v = ctx.options[name];
      if (typeof v !== 'string' || !v) throw new UsageError(`--${name} is required`, 'eval');
      return v;
    };
    const instancesPath = resolve(ctx.io.cwd, need('instances'));
    const predsArg = need('preds');
    const outDir = resolve(ctx.io.cwd, need('out'));
    const workers = positive(ctx.options.workers, '--workers') ?? 1;
    const timeoutMs = positive(ctx.options['timeout-ms'], '--timeout-ms');
    const str = (name: string) =>
      typeof ctx.options[name] === 'string' ? resolve(ctx.io.cwd, ctx.options[name] as string) : undefined;

    const [evaluation, { resolveStateDir }] = await Promise.all([
      import('../../eval/index.ts'),
      import('../../config/state-dir.ts'),
    ]);
    const { config } = ctx.loadConfig();
    const all = await evaluation.loadInstances(instancesPath);
    const filter = ctx.options.filter;
    const instances = evaluation.selectInstances(all, {
      filter: Array.isArray(filter) ? filter : typeof filter === 'string' ? [filter] : undefined,
      slice: typeof ctx.options.slice === 'string' ? ctx.options.slice : undefined,
    });
    const predictions =
      predsArg === 'gold'
        ? evaluation.goldPredictions(instances)
        : await evaluation.readPredictions(resolve(ctx.io.cwd, predsArg));

    const step = ctx.progress.start(`evaluating ${instances.length} instances with ${workers} worker(s)`);
    let done = 0;
    const summary = await evaluation.scoreInstances({
      instances,
      predictions,
      outDir,
      cacheDir: str('cache-dir') ?? resolve(resolveStateDir(config, ctx.io.env, ctx.io.cwd), 'eval-cache'),
      mirrorDir: str('mirror-dir'),
      workers,
      config,
      logger: ctx.createLogger(),
      testTimeoutMs: timeoutMs,
      caFile: str('ca-file'),
      keepCheckouts: ctx.options['keep-checkouts'] === true,
      onResult: (r) => step.update(`${++done}/${instances.length} ${r.instance_id}: ${r.status}`),
    });
    step.succeed(`${summary.resolved_instances}/${summary.total_instances} resolved`);
    ctx.out.data(summary);
    ctx.out.line(
      `total ${summary.total_instances}, submitted ${summary.submitted_instances}, completed ${summary.completed_instances}`,
    );
    ctx.out.line(
      `resolved ${summary.resolved_instances}, unresolved ${summary.unresolved_instances}, empty patch ${summary.empty_patch_instances}, error ${summary.error_instances}`,
    );
    for (const id of summary.error_ids) ctx.out.line(`  error: ${id}`);
    ctx.out.line(`reports in ${outDir} (summary.json, results.jsonl, <instance>/report.json)`);
    return 0;
  },
} satisfies Command;

function positive(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} expects a whole number of at least 1`, 'eval');
  return n;
}
