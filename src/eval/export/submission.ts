/**
 * `conjecture eval export`: lays out an `eval run` (and, when given, the `eval score` of its
 * predictions) as a SWE-bench leaderboard submission folder, the layout of the SWE-bench/experiments
 * repository's `evaluation/<split>/<YYYYMMDD>_<name>/`:
 *
 *   all_preds.jsonl          one `{instance_id, model_name_or_path, model_patch}` per line
 *   trajs/<id>.traj.json     one reasoning trace per instance (mini-swe-agent's format)
 *   logs/<id>/               the evaluator's artifacts: patch.diff, report.json, test_output.txt,
 *                            run_instance.log
 *   metadata.yaml            how the entry is shown (info, tags), plus Conjecture's reproducibility stamp
 *   README.md                the results, how they were produced, and the submission checklist
 */
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConjectureError } from '../../core/errors.ts';
import { parseTrace } from '../../trace/index.ts';
import { type Prediction, parsePredictions } from '../predictions.ts';
import { instanceDir } from '../run-instance.ts';
import {
  PREDS_FILE,
  RESULTS_FILE,
  RUN_FILE,
  type RunResultLine,
  readRunResults,
  tracePath,
} from '../run-store.ts';
import { type RunStamp, runStampSchema } from '../stamp.ts';
import type { EvalSummary } from '../summary.ts';
import { toTrajectory } from './trajectory.ts';

export const SPLITS = ['verified', 'lite', 'test', 'multilingual', 'multimodal', 'bash-only'] as const;
export type Split = (typeof SPLITS)[number];

/** The evaluator's files copied into `logs/<id>/`, as the official harness names them. */
const LOG_FILES: [from: string, to: string][] = [
  ['patch.diff', 'patch.diff'],
  ['report.json', 'report.json'],
  ['test_output.txt', 'test_output.txt'],
  ['eval.log', 'run_instance.log'],
];

export interface ExportOptions {
  runDir: string;
  /** An `eval score` output directory for this run's predictions; without it there are no logs. */
  scoreDir?: string;
  outDir: string;
  split: Split;
  /** The entry's name (folder `<YYYYMMDD>_<slug>`); default `conjecture_<model>`. */
  name?: string;
  /** Where readers learn about the system, and its technical report (the leaderboard asks for both). */
  site?: string;
  report?: string;
  version: string;
  now?: Date;
}

export interface ExportResult {
  dir: string;
  instances: number;
  trajectories: number;
  logs: number;
  /** Instances with a prediction but no evaluator logs (not scored, or scored elsewhere). */
  missingLogs: string[];
  resolved: number | null;
}

export class ExportError extends ConjectureError {}

interface RunMetaFile {
  run_id: string;
  model_name_or_path: string;
  created_at: string;
  stamp?: unknown;
}

async function readRun(runDir: string) {
  const metaText = await readFile(join(runDir, RUN_FILE), 'utf8').catch(() => null);
  if (metaText === null)
    throw new ExportError(`${runDir} is not an eval run directory (no ${RUN_FILE})`, {
      code: 'export_not_a_run',
      hint: 'pass the --out directory of `conjecture eval run`',
    });
  const meta = JSON.parse(metaText) as RunMetaFile;
  const results = await readRunResults(join(runDir, RESULTS_FILE));
  if (results.length === 0)
    throw new ExportError(`${runDir} has no finished instances`, {
      code: 'export_empty_run',
      hint: 'run `conjecture eval run` until at least one instance finishes',
    });
  const predsText = await readFile(join(runDir, PREDS_FILE), 'utf8').catch(() => '[]');
  const preds = parsePredictions(predsText, join(runDir, PREDS_FILE));
  const parsedStamp = runStampSchema.safeParse(meta.stamp);
  return { meta, results, preds, stamp: parsedStamp.success ? parsedStamp.data : null };
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'run'
  );
}

function folderName(now: Date, name: string): string {
  return `${now.toISOString().slice(0, 10).replace(/-/g, '')}_${slug(name)}`;
}

async function readSummary(scoreDir: string | undefined): Promise<EvalSummary | null> {
  if (!scoreDir) return null;
  const text = await readFile(join(scoreDir, 'summary.json'), 'utf8').catch(() => null);
  return text ? (JSON.parse(text) as EvalSummary) : null;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function copyLogs(scoreDir: string, id: string, logsDir: string): Promise<boolean> {
  const from = instanceDir(scoreDir, id);
  if (!(await exists(join(from, 'report.json')))) return false;
  const to = instanceDir(logsDir, id);
  await mkdir(to, { recursive: true });
  for (const [src, dst] of LOG_FILES)
    if (await exists(join(from, src))) await copyFile(join(from, src), join(to, dst));
  return true;
}

async function writeTrajectory(
  runDir: string,
  line: RunResultLine,
  pred: Prediction | undefined,
  ctx: { dir: string; version: string; stamp: RunStamp | null },
): Promise<void> {
  const trace = await readFile(tracePath(runDir, line.instance_id), 'utf8').catch(() => '');
  const trajectory = toTrajectory({
    instanceId: line.instance_id,
    events: parseTrace(trace),
    exitStatus: line.exit_status,
    submission: pred?.model_patch ?? '',
    costUsd: line.cost_usd,
    modelCalls: line.model_calls,
    model: { model_name: line.model_name_or_path, ...(ctx.stamp ? ctx.stamp.model : {}) },
    version: ctx.version,
    details: {
      outcome: line.outcome,
      steps: line.steps,
      duration_ms: line.duration_ms,
      ...(line.error ? { error: line.error } : {}),
    },
  });
  await writeFile(
    `${instanceDir(join(ctx.dir, 'trajs'), line.instance_id)}.traj.json`,
    `${JSON.stringify(trajectory, null, 2)}\n`,
  );
}

export async function exportSubmission(opts: ExportOptions): Promise<ExportResult> {
  const { meta, results, preds, stamp } = await readRun(opts.runDir);
  const summary = await readSummary(opts.scoreDir);
  if (opts.scoreDir && !summary)
    throw new ExportError(`${opts.scoreDir} has no summary.json`, {
      code: 'export_not_scored',
      hint: 'pass the --out directory of a finished `conjecture eval score`',
    });
  const now = opts.now ?? new Date();
  const name = opts.name ?? `conjecture_${stamp?.model.name ?? meta.model_name_or_path}`;
  const dir = join(opts.outDir, 'evaluation', opts.split, folderName(now, name));
  await mkdir(join(dir, 'trajs'), { recursive: true });
  await mkdir(join(dir, 'logs'), { recursive: true });

  const ids = results.map((r) => r.instance_id).sort();
  const byId = new Map(results.map((r) => [r.instance_id, r]));
  const predLines = ids.map((id) =>
    JSON.stringify({
      instance_id: id,
      model_name_or_path: preds.get(id)?.model_name_or_path ?? meta.model_name_or_path,
      model_patch: preds.get(id)?.model_patch ?? '',
    }),
  );
  await writeFile(join(dir, 'all_preds.jsonl'), `${predLines.join('\n')}\n`);

  const missingLogs: string[] = [];
  let logs = 0;
  for (const id of ids) {
    const line = byId.get(id);
    if (line) await writeTrajectory(opts.runDir, line, preds.get(id), { dir, version: opts.version, stamp });
    if (opts.scoreDir && (await copyLogs(opts.scoreDir, id, join(dir, 'logs')))) logs += 1;
    else missingLogs.push(id);
  }
  const entry = {
    name,
    site: opts.site,
    report: opts.report,
    stamp,
    meta,
    summary,
    instances: ids.length,
    split: opts.split,
  };
  await writeFile(join(dir, 'metadata.yaml'), renderMetadata(entry));
  await writeFile(join(dir, 'README.md'), renderReadme({ ...entry, missingLogs }));
  return {
    dir,
    instances: ids.length,
    trajectories: ids.length,
    logs,
    missingLogs,
    resolved: summary?.resolved_instances ?? null,
  };
}

interface Entry {
  name: string;
  site: string | undefined;
  report: string | undefined;
  stamp: RunStamp | null;
  meta: RunMetaFile;
  summary: EvalSummary | null;
  instances: number;
  split: Split;
}

function renderMetadata(e: Entry): string {
  const model = e.stamp?.model.name ?? e.meta.model_name_or_path;
  return stringify({
    info: {
      name: e.name,
      site: e.site ?? null,
      report: e.report ?? null,
    },
    tags: {
      checked: false,
      model: [model],
      org: 'Conjecture',
      os_model: true,
      os_system: true,
      // Best@k: several attempts, one chosen by the repository's own tests, never by SWE-bench's.
      system: { attempts: (e.stamp?.attempts ?? 1) > 1 ? '2+' : '1' },
    },
    conjecture: {
      run_id: e.meta.run_id,
      run_created_at: e.meta.created_at,
      stamp: e.stamp ?? 'not recorded: this run predates stamps',
    },
  });
}

function renderReadme(e: Entry & { missingLogs: string[] }): string {
  const s = e.summary;
  const result = s
    ? `**${s.resolved_instances} of ${s.total_instances} resolved (${((100 * s.resolved_instances) / Math.max(1, s.total_instances)).toFixed(1)}%)**; ${s.empty_patch_instances} empty patches, ${s.error_instances} errors.`
    : 'Not scored: run `conjecture eval score` on all_preds.jsonl (or the official harness) before submitting.';
  const stamp = e.stamp
    ? [
        `- Model: \`${e.stamp.model.name}\`${e.stamp.model.digest ? ` (digest \`${e.stamp.model.digest}\`)` : ' (digest not reported by the server)'}; temperature ${e.stamp.model.temperature}, max tokens ${e.stamp.model.max_tokens}, seed ${e.stamp.model.seed ?? 'none'}, context window ${e.stamp.model.context_window}`,
        `- Prompt templates: sha256 \`${e.stamp.prompt_templates_sha256}\``,
        `- Sandbox image: \`${e.stamp.sandbox_image.name}\`${e.stamp.sandbox_image.digest ? ` (\`${e.stamp.sandbox_image.digest}\`)` : ''}`,
        `- Conjecture ${e.stamp.conjecture_version}${e.stamp.conjecture_commit ? ` at commit \`${e.stamp.conjecture_commit}\`` : ''}`,
        `- Attempts per instance: ${e.stamp.attempts}; step limit ${e.stamp.step_limit}`,
      ].join('\n')
    : '- Not recorded: this run was made before `eval run` recorded reproducibility stamps.';
  return `# ${e.name}

Conjecture: a bash-only agent (one shell command per model reply) in a locked-down container, run with
\`conjecture eval run\` on SWE-bench ${e.split} (${e.instances} instances in this folder).

## Results

${result}

## Reproducibility

${stamp}

## Checklist

- [${(e.stamp?.attempts ?? 1) > 1 ? ' ' : 'x'}] Is a pass@1 submission (one attempt per instance)${(e.stamp?.attempts ?? 1) > 1 ? ': no — Best@k, the attempt is chosen by the repository\'s own tests (`tags.system.attempts: "2+"`)' : ''}
- [x] Does not use SWE-bench test knowledge (\`PASS_TO_PASS\`, \`FAIL_TO_PASS\`): the agent sees only the problem statement and the repository
- [x] Does not use the \`hints_text\` field
- [x] Has no web browsing: the sandbox has no network

## Files

- \`all_preds.jsonl\`: predictions
- \`trajs/<instance_id>.traj.json\`: every step the agent took, in mini-swe-agent's trajectory format (\`mini-swe-agent-1.1\`)
- \`logs/<instance_id>/\`: the evaluator's \`patch.diff\`, \`report.json\`, \`test_output.txt\`, \`run_instance.log\`${e.missingLogs.length ? `\n\nNo evaluator logs for ${e.missingLogs.length} instance(s): ${e.missingLogs.slice(0, 20).join(', ')}${e.missingLogs.length > 20 ? ', …' : ''}.` : ''}
`;
}
