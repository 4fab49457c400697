/**
 * `conjecture report cost [--since 7d|DATE]`: what the runs in the job history cost and achieved,
 * per repository and in total (issue 8, item 5), with the same tokens priced at the cloud price
 * tables in `report.priceTables`. Reads the queue the app and workers write (`queue` config).
 */
import type { CostLine, CostReport } from '../../jobs/cost.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';

const UNITS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `7d`, `24h`, `2w` (before `now`), or a date/time ISO 8601 accepts. */
export function parseSince(value: string, now: Date): Date {
  const rel = /^(\d+)([hdw])$/.exec(value.trim());
  if (rel) return new Date(now.getTime() - Number(rel[1]) * (UNITS[rel[2] as string] as number));
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()))
    throw new UsageError(`--since: cannot read "${value}"; use e.g. 7d, 24h, 2w or 2026-11-01`, 'report');
  return at;
}

export const reportCommand = {
  name: 'report',
  summary: 'report on the job history: `report cost` sums runs, tokens and time, with cloud prices',
  usage: 'report cost [--since 7d|24h|YYYY-MM-DD]',
  options: {
    since: {
      type: 'string',
      valueName: 'WHEN',
      description: 'only runs created since then: 7d, 24h, 2w, or a date (default: all history)',
    },
  },
  async run(ctx) {
    const [what, ...extra] = ctx.args;
    if (what !== 'cost')
      throw new UsageError(
        what ? `unknown report "${what}"; expected cost` : 'expected a report: cost',
        'report',
      );
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, 'report');
    const since =
      typeof ctx.options.since === 'string' ? parseSince(ctx.options.since, new Date()) : undefined;
    const [{ resolveStateDir }, { openJobQueue }, cost] = await Promise.all([
      import('../../config/state-dir.ts'),
      import('../../jobs/open.ts'),
      import('../../jobs/cost.ts'),
    ]);
    const { config } = ctx.loadConfig();
    const stateDir = resolveStateDir(config, ctx.io.env, ctx.io.cwd);
    const queue = openJobQueue(config.queue, { stateDir, logger: ctx.createLogger('warn') });
    try {
      const history = await cost.readJobHistory(queue, since ? { since } : {});
      const report = cost.aggregateCost(history.jobs, {
        priceTables: config.report.priceTables,
        ...(since ? { since } : {}),
      });
      ctx.out.data({ ...report, complete: history.complete });
      for (const line of formatCostReport(report)) ctx.out.line(line);
      if (!history.complete) ctx.out.line('(the history is larger than the report reads; use --since)');
      return 0;
    } finally {
      await queue.close();
    }
  },
} satisfies Command;

export function formatCostReport(report: CostReport): string[] {
  const tables = Object.keys(report.priceTables);
  const header = [
    'repository',
    'runs',
    'resolved',
    'tokens in',
    'tokens out',
    'run time',
    ...tables.map((t) => `at ${t}`),
  ];
  const row = (name: string, l: CostLine) => [
    name,
    String(l.runs),
    l.runs > 0 ? `${l.resolved} (${Math.round((l.resolved / l.runs) * 100)}%)` : '0',
    l.promptTokens.toLocaleString('en-US'),
    l.completionTokens.toLocaleString('en-US'),
    hours(l.runSeconds),
    ...tables.map((t) => usd(l.cloudCostUsd[t] ?? 0)),
  ];
  const rows = [
    header,
    ...Object.entries(report.byRepo).map(([name, l]) => row(name, l)),
    row('total', report.total),
  ];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const text = rows.map((r) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
  );
  const window = report.since ? `since ${report.since.slice(0, 10)}` : 'all history';
  const lines = [
    `Cost report (${window}, to ${report.until.slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    ...text,
  ];
  if (report.total.actualCostUsd > 0)
    lines.push('', `Priced by model.price: ${usd(report.total.actualCostUsd)}`);
  if (report.total.runs === 0) lines.push('', 'No finished runs in this window.');
  return lines;
}

function usd(v: number): string {
  return `$${v.toFixed(v > 0 && v < 1 ? 4 : 2)}`;
}

function hours(seconds: number): string {
  return seconds < 3_600 ? `${(seconds / 60).toFixed(1)} min` : `${(seconds / 3_600).toFixed(1)} h`;
}
