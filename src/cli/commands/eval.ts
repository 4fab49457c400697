/**
 * `conjecture eval run|score|report|export|worker` (docs/evaluation.md). `run` puts the agent on SWE-bench
 * instances and writes preds.json; `score` grades predictions in sandboxes the way SWE-bench's
 * harness does (`--preds gold` scores each instance's own reference patch: the evaluator's
 * self-check); `report` compares runs; `worker` runs queued eval jobs of distributed runs.
 */
import { resolve } from 'node:path';
import type { Command, CommandContext } from '../command.ts';
import { UsageError } from '../errors.ts';
import { runEvalExport } from './eval-export.ts';
import { runEvalRun, runEvalWorker } from './eval-run.ts';
import { runEvalScore } from './eval-score.ts';

const SUBCOMMANDS = 'eval run | eval score | eval report | eval export | eval worker';

export const evalCommand = {
  name: 'eval',
  summary: 'SWE-bench evaluation: run the agent, score predictions, compare runs',
  usage: [
    'eval run --instances FILE --out DIR [--model NAME] [--base-url URL] [--workers N] [--filter ID|/RE/]... [--slice A:B] [--mirror-dir DIR] [--image-template T] [--redo] [--queue redis://…|FILE]',
    'eval score --instances FILE --preds FILE|gold --out DIR [--mirror-dir DIR] [--image-template T] [--workers N] [--filter ID|/RE/]... [--slice A:B] [--redo]',
    'eval report DIR... --out FILE.md',
    'eval export RUN_DIR --out DIR [--score SCORE_DIR] [--split verified] [--name NAME] [--site URL] [--report URL]',
    'eval worker --queue redis://…|FILE [--workers N] [--mirror-dir DIR]',
  ].join('\n  '),
  options: {
    model: { type: 'string', valueName: 'NAME', description: 'run: model name (overrides model.name)' },
    'base-url': {
      type: 'string',
      valueName: 'URL',
      description: 'run: OpenAI-compatible endpoint (overrides model.baseUrl)',
    },
    label: {
      type: 'string',
      valueName: 'NAME',
      description: 'run: model_name_or_path in preds.json (default conjecture/<model>)',
    },
    'image-template': {
      type: 'string',
      valueName: 'T',
      description:
        'run/score: per-instance image, e.g. swebench/sweb.eval.x86_64.{hub_id} (default: sandbox.image + setup)',
    },
    redo: {
      type: 'boolean',
      description: 'run/score: start over: run or score finished instances again (run: a new run id)',
    },
    queue: {
      type: 'string',
      valueName: 'URL|FILE',
      description: 'run/worker: distribute instances as eval jobs (redis://… or a SQLite file)',
    },
    'lease-ms': {
      type: 'string',
      valueName: 'MS',
      description: 'run/worker: job lease (default queue.leaseMs)',
    },
    'poll-ms': { type: 'string', valueName: 'MS', description: 'run/worker: how often to look at the queue' },
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
      description: 'run/score: the output directory; report: the report file (FILE.md, also FILE.html)',
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
    workers: {
      type: 'string',
      valueName: 'N',
      description:
        'instances run or evaluated at once (default 1; run --queue: 0 only enqueues and collects)',
    },
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
    score: { type: 'string', valueName: 'DIR', description: 'export: the eval score output for the run' },
    split: {
      type: 'string',
      valueName: 'NAME',
      description: 'export: the SWE-bench split (default verified)',
    },
    name: { type: 'string', valueName: 'NAME', description: 'export: the leaderboard entry name' },
    site: {
      type: 'string',
      valueName: 'URL',
      description: "export: the system's web page (metadata info.site)",
    },
    report: {
      type: 'string',
      valueName: 'URL',
      description: 'export: the technical report (metadata info.report)',
    },
  },
  async run(ctx) {
    const need = (name: string) => {
      const v = ctx.options[name];
      if (typeof v !== 'string' || !v) throw new UsageError(`--${name} is required`, 'eval');
      return v;
    };
    const sub = ctx.args[0];
    if (sub === 'run') return runEvalRun(ctx, need);
    if (sub === 'worker') return runEvalWorker(ctx, need);
    if (sub === 'report') return runReport(ctx, need('out'));
    if (sub === 'export') return runEvalExport(ctx, need);
    if (sub === 'score') return runEvalScore(ctx, need);
    throw new UsageError(`expected a subcommand: ${SUBCOMMANDS}`, 'eval');
  },
} satisfies Command;

async function runReport(ctx: CommandContext, out: string): Promise<number> {
  const dirs = ctx.args.slice(1).map((d) => resolve(ctx.io.cwd, d));
  if (dirs.length === 0) throw new UsageError('eval report needs at least one run directory', 'eval');
  const { writeReport } = await import('../../eval/report/index.ts');
  const { files, stats } = await writeReport(dirs, resolve(ctx.io.cwd, out));
  ctx.out.data({
    files,
    runs: stats.map((s) => ({
      label: s.label,
      instances: s.instances,
      resolved: s.scored ? s.resolved : null,
    })),
  });
  for (const s of stats)
    ctx.out.line(
      `${s.label}: ${s.instances} instances, ${s.scored ? `${s.resolved} resolved (${(s.rate * 100).toFixed(1)}%)` : 'not scored'}`,
    );
  ctx.out.line(`report: ${files.join(', ')}`);
  return 0;
}
