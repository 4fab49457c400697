/**
 * The cost report (issue 8, item 5): from the job history, per repository and in total, how many
 * runs, how many resolved, the tokens used, the machine time, and what the same tokens would have
 * cost on cloud price tables. Pure functions over job records; reading them is `readJobHistory`.
 */
import type { JobQueue, JobRecord } from './types.ts';

/** USD per million tokens, the same shape as `model.price`. */
export interface PriceTable {
  inputPerMTokUsd: number;
  outputPerMTokUsd: number;
}

export interface CostLine {
  runs: number;
  /** Runs whose patch the pipeline would ship: validated, unvalidated, or a PR opened. */
  resolved: number;
  failed: number;
  promptTokens: number;
  completionTokens: number;
  /** Wall time of the runs (started → finished): what the sandbox and model server were busy for. */
  runSeconds: number;
  /** What the configured model's own price table says the runs cost (0 for a local model). */
  actualCostUsd: number;
  /** The same tokens at each cloud price table, by table name. */
  cloudCostUsd: Record<string, number>;
}

export interface CostReport {
  since: string | null;
  until: string;
  total: CostLine;
  byRepo: Record<string, CostLine>;
  priceTables: Record<string, PriceTable>;
}

/** exitStatus values of runs that produced something worth shipping. */
const RESOLVED = new Set(['validated', 'unvalidated', 'succeeded']);
/** Kinds that are runs; webhook deliveries and maintenance jobs cost no tokens. */
const RUN_KINDS = new Set(['fix', 'github-fix', 'eval']);

export function isResolved(job: JobRecord): boolean {
  return job.state === 'succeeded' && RESOLVED.has(job.result?.exitStatus ?? '');
}

export function isRun(job: JobRecord): boolean {
  return (
    RUN_KINDS.has(job.kind) &&
    (job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled')
  );
}

export function priceOf(table: PriceTable, promptTokens: number, completionTokens: number): number {
  return (promptTokens * table.inputPerMTokUsd + completionTokens * table.outputPerMTokUsd) / 1_000_000;
}

function emptyLine(tables: Record<string, PriceTable>): CostLine {
  return {
    runs: 0,
    resolved: 0,
    failed: 0,
    promptTokens: 0,
    completionTokens: 0,
    runSeconds: 0,
    actualCostUsd: 0,
    cloudCostUsd: Object.fromEntries(Object.keys(tables).map((name) => [name, 0])),
  };
}

function add(line: CostLine, job: JobRecord, tables: Record<string, PriceTable>): void {
  const prompt = job.result?.usage?.promptTokens ?? 0;
  const completion = job.result?.usage?.completionTokens ?? 0;
  line.runs++;
  if (isResolved(job)) line.resolved++;
  else if (job.state === 'failed' || job.state === 'succeeded') line.failed++;
  line.promptTokens += prompt;
  line.completionTokens += completion;
  if (job.startedAt && job.finishedAt)
    line.runSeconds += Math.max(0, (job.finishedAt.getTime() - job.startedAt.getTime()) / 1000);
  line.actualCostUsd += job.result?.costUsd ?? 0;
  for (const [name, table] of Object.entries(tables))
    line.cloudCostUsd[name] = (line.cloudCostUsd[name] ?? 0) + priceOf(table, prompt, completion);
}

/** Finished runs created at or after `since`, summed per repository and in total. */
export function aggregateCost(
  jobs: readonly JobRecord[],
  options: { priceTables: Record<string, PriceTable>; since?: Date; now?: Date },
): CostReport {
  const tables = options.priceTables;
  const total = emptyLine(tables);
  const byRepo: Record<string, CostLine> = {};
  for (const job of jobs) {
    if (!isRun(job)) continue;
    if (options.since && job.createdAt < options.since) continue;
    byRepo[job.repo] ??= emptyLine(tables);
    add(byRepo[job.repo] as CostLine, job, tables);
    add(total, job, tables);
  }
  return {
    since: options.since?.toISOString() ?? null,
    until: (options.now ?? new Date()).toISOString(),
    total,
    byRepo: Object.fromEntries(Object.entries(byRepo).sort(([a], [b]) => a.localeCompare(b))),
    priceTables: tables,
  };
}

export interface DayPoint {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  runs: number;
  resolved: number;
  /** resolved / runs, or null on a day without runs. */
  successRate: number | null;
  promptTokens: number;
  completionTokens: number;
  actualCostUsd: number;
  cloudCostUsd: Record<string, number>;
}

/** One point per UTC day for the last `days` days (oldest first), for the web page's charts. */
export function dailySeries(
  jobs: readonly JobRecord[],
  options: { days: number; now?: Date; priceTables: Record<string, PriceTable> },
): DayPoint[] {
  const now = options.now ?? new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const points: DayPoint[] = [];
  const byDay = new Map<string, CostLine>();
  for (let i = options.days - 1; i >= 0; i--) {
    const day = new Date(today - i * 86_400_000).toISOString().slice(0, 10);
    byDay.set(day, emptyLine(options.priceTables));
  }
  for (const job of jobs) {
    if (!isRun(job)) continue;
    const line = byDay.get((job.finishedAt ?? job.createdAt).toISOString().slice(0, 10));
    if (line) add(line, job, options.priceTables);
  }
  for (const [day, l] of byDay)
    points.push({
      day,
      runs: l.runs,
      resolved: l.resolved,
      successRate: l.runs > 0 ? l.resolved / l.runs : null,
      promptTokens: l.promptTokens,
      completionTokens: l.completionTokens,
      actualCostUsd: l.actualCostUsd,
      cloudCostUsd: l.cloudCostUsd,
    });
  return points;
}

/**
 * Jobs created at or after `since`, newest first, read page by page (the queue lists newest first).
 * `max` bounds the work for a huge history; the report says when it was reached.
 */
export async function readJobHistory(
  queue: Pick<JobQueue, 'list'>,
  options: { since?: Date; max?: number } = {},
): Promise<{ jobs: JobRecord[]; complete: boolean }> {
  const max = options.max ?? 100_000;
  const jobs: JobRecord[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await queue.list({ limit: 200, ...(before ? { before } : {}) });
    for (const job of page.jobs) {
      if (options.since && job.createdAt < options.since) return { jobs, complete: true };
      if (jobs.length >= max) return { jobs, complete: false };
      jobs.push(job);
    }
    if (!page.nextBefore) return { jobs, complete: true };
    before = page.nextBefore;
  }
}
