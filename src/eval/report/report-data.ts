/**
 * What `eval report` compares: for each run directory, its result lines (`results.jsonl` of
 * `eval run`) and, when it was scored into `<dir>/score`, the evaluator's verdicts. Resolve rates
 * carry a Wilson 95% interval because the sets are small (16 instances: ±20 points).
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ConjectureError } from '../../core/errors.ts';
import type { ExitStatus } from '../../core/task.ts';
import { type EvalStatus, readResults } from '../predictions.ts';
import { RESULTS_FILE, RUN_FILE, type RunMeta, type RunResultLine, readRunResults } from '../run-store.ts';

export const EXIT_STATUSES: readonly ExitStatus[] = [
  'submitted',
  'limits_exceeded',
  'format_error',
  'timeout',
  'cancelled',
  'error',
];

/** A cell of the outcome matrix: the evaluator's verdict when scored, else the agent's exit status. */
export type CellOutcome = EvalStatus | ExitStatus;

export interface RunData {
  label: string;
  model: string;
  lines: RunResultLine[];
  /** Verdicts by instance id, or null when the run has no `score/results.jsonl`. */
  scores: Map<string, EvalStatus> | null;
}

export interface RunStats {
  label: string;
  model: string;
  instances: number;
  scored: boolean;
  resolved: number;
  rate: number;
  ci: [number, number];
  exitStatus: Record<ExitStatus, number>;
  stepsMean: number;
  stepsMedian: number;
  tokensTotal: number;
  promptTokens: number;
  /** Prompt tokens served from the server's cache, where the server reported them; null when none did. */
  cachedPromptTokens: number | null;
  durationMsTotal: number;
  costUsd: number;
  costPerResolved: number | null;
  formatErrors: number;
  modelCalls: number;
  formatErrorRate: number;
  outcomes: Map<string, CellOutcome>;
}

export async function loadRun(dir: string): Promise<RunData> {
  const abs = resolve(dir);
  const lines = await readRunResults(join(abs, RESULTS_FILE)).catch((cause: unknown) => {
    throw new ConjectureError(`cannot read ${join(abs, RESULTS_FILE)}`, {
      code: 'report_input',
      hint: 'pass directories written by `conjecture eval run --out DIR`',
      cause,
    });
  });
  const meta = await readFile(join(abs, RUN_FILE), 'utf8').then(
    (t) => JSON.parse(t) as RunMeta,
    () => null,
  );
  const scored = await readResults(join(abs, 'score', 'results.jsonl'));
  return {
    label: basename(abs),
    model: meta?.model_name_or_path ?? lines[0]?.model_name_or_path ?? 'unknown',
    lines,
    scores: scored.length > 0 ? new Map(scored.map((r) => [r.instance_id, r.status])) : null,
  };
}

/** Wilson score interval for k successes in n trials (z = 1.96 for 95%). */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 0];
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function runStats(run: RunData): RunStats {
  const n = run.lines.length;
  const resolved = run.scores
    ? run.lines.filter((l) => run.scores?.get(l.instance_id) === 'resolved').length
    : 0;
  const exitStatus = Object.fromEntries(EXIT_STATUSES.map((s) => [s, 0])) as Record<ExitStatus, number>;
  for (const l of run.lines) exitStatus[l.exit_status]++;
  const steps = run.lines.map((l) => l.steps).sort((a, b) => a - b);
  const sum = (f: (l: RunResultLine) => number) => run.lines.reduce((t, l) => t + f(l), 0);
  const costUsd = sum((l) => l.cost_usd);
  const formatErrors = sum((l) => l.format_errors);
  const modelCalls = sum((l) => l.model_calls);
  return {
    label: run.label,
    model: run.model,
    instances: n,
    scored: run.scores !== null,
    resolved,
    rate: n ? resolved / n : 0,
    ci: wilson(resolved, n),
    exitStatus,
    stepsMean: n ? sum((l) => l.steps) / n : 0,
    stepsMedian: median(steps),
    tokensTotal: sum((l) => l.prompt_tokens + l.completion_tokens),
    promptTokens: sum((l) => l.prompt_tokens),
    cachedPromptTokens: run.lines.some((l) => l.cached_prompt_tokens !== undefined)
      ? sum((l) => l.cached_prompt_tokens ?? 0)
      : null,
    durationMsTotal: sum((l) => l.duration_ms),
    costUsd,
    costPerResolved: resolved > 0 ? costUsd / resolved : null,
    formatErrors,
    modelCalls,
    formatErrorRate: modelCalls ? formatErrors / modelCalls : 0,
    outcomes: new Map(run.lines.map((l) => [l.instance_id, run.scores?.get(l.instance_id) ?? l.exit_status])),
  };
}

function median(sorted: number[]): number {
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
