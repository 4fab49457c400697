/**
 * The comparison as Markdown (charts linked as SVG files next to it) and as one self-contained HTML
 * page (charts inline). Both are built from the same rows so they always say the same thing.
 */
import { formatDuration, formatTokens } from '../run-progress.ts';
import { escapeXml } from './charts.ts';
import { type CellOutcome, EXIT_STATUSES, type RunStats } from './report-data.ts';

export interface Charts {
  resolveRate: { file: string; svg: string };
  exitStatus: { file: string; svg: string };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const usd = (x: number) => `$${x.toFixed(4)}`;

const CELL: Record<CellOutcome, string> = {
  resolved: '✓ resolved',
  unresolved: '✗ unresolved',
  empty_patch: '∅ empty patch',
  patch_failed: '⚠ patch failed',
  error: '⚠ error',
  submitted: 'submitted',
  limits_exceeded: 'limits exceeded',
  format_error: 'format error',
  timeout: 'timeout',
  cancelled: 'cancelled',
};

function summaryRows(stats: readonly RunStats[]): string[][] {
  const row = (name: string, f: (s: RunStats) => string) => [name, ...stats.map(f)];
  return [
    row('model', (s) => s.model),
    row('instances', (s) => String(s.instances)),
    row('resolved', (s) =>
      s.scored ? `${s.resolved} (${pct(s.rate)}, 95% CI ${pct(s.ci[0])}–${pct(s.ci[1])})` : 'not scored',
    ),
    row('steps (mean / median)', (s) => `${s.stepsMean.toFixed(1)} / ${s.stepsMedian}`),
    row(
      'tokens (total / per instance)',
      (s) =>
        `${formatTokens(s.tokensTotal)} / ${formatTokens(Math.round(s.instances ? s.tokensTotal / s.instances : 0))}`,
    ),
    ...(stats.some((s) => s.cachedPromptTokens !== null)
      ? [
          row('prompt tokens from the server’s cache', (s) =>
            s.cachedPromptTokens === null
              ? 'not reported'
              : `${formatTokens(s.cachedPromptTokens)} of ${formatTokens(s.promptTokens)} (${pct(s.promptTokens ? s.cachedPromptTokens / s.promptTokens : 0)})`,
          ),
        ]
      : []),
    row(
      'time (total / per instance)',
      (s) =>
        `${formatDuration(s.durationMsTotal)} / ${formatDuration(s.instances ? s.durationMsTotal / s.instances : 0)}`,
    ),
    row('cost (total)', (s) => usd(s.costUsd)),
    row('cost per resolved instance', (s) => (s.costPerResolved === null ? '—' : usd(s.costPerResolved))),
    row(
      'format-error rate (of model replies)',
      (s) => `${pct(s.formatErrorRate)} (${s.formatErrors} of ${s.modelCalls})`,
    ),
  ];
}

function exitRows(stats: readonly RunStats[]): string[][] {
  return EXIT_STATUSES.filter((st) => stats.some((s) => s.exitStatus[st] > 0)).map((st) => [
    st,
    ...stats.map((s) => `${s.exitStatus[st]} (${pct(s.instances ? s.exitStatus[st] / s.instances : 0)})`),
  ]);
}

function matrixRows(stats: readonly RunStats[]): string[][] {
  const ids = [...new Set(stats.flatMap((s) => [...s.outcomes.keys()]))].sort();
  return ids.map((id) => [id, ...stats.map((s) => CELL[s.outcomes.get(id) as CellOutcome] ?? '—')]);
}

const LEGEND =
  'Cells show the evaluator’s verdict when the run was scored (`conjecture eval score … --out DIR/score`), otherwise the agent’s exit status; — means the run did not include the instance.';

function mdTable(head: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${head.map(esc).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function renderMarkdown(stats: readonly RunStats[], charts: Charts): string {
  const head = (first: string) => [first, ...stats.map((s) => s.label)];
  return `${[
    '# Evaluation report',
    '',
    `Runs compared: ${stats.map((s) => `\`${s.label}\` (${s.model})`).join(', ')}.`,
    '',
    `![Resolve rate with 95% confidence interval](${charts.resolveRate.file})`,
    '',
    `![Exit status per run](${charts.exitStatus.file})`,
    '',
    '## Summary',
    '',
    mdTable(head(''), summaryRows(stats)),
    '',
    '## Exit status',
    '',
    mdTable(head('exit status'), exitRows(stats)),
    '',
    '## Per-instance outcomes',
    '',
    LEGEND,
    '',
    mdTable(head('instance'), matrixRows(stats)),
  ].join('\n')}\n`;
}

function htmlTable(head: string[], rows: string[][]): string {
  const cells = (r: string[], tag: string) => r.map((c) => `<${tag}>${escapeXml(c)}</${tag}>`).join('');
  return `<table>\n<thead><tr>${cells(head, 'th')}</tr></thead>\n<tbody>\n${rows
    .map((r) => `<tr>${cells(r, 'td')}</tr>`)
    .join('\n')}\n</tbody>\n</table>`;
}

export function renderHtml(stats: readonly RunStats[], charts: Charts): string {
  const head = (first: string) => [first, ...stats.map((s) => s.label)];
  return `${[
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<title>Evaluation report</title>',
    '<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f4f4f4}figure{display:inline-block;vertical-align:top;margin:0 2em 1em 0}</style>',
    '</head>',
    '<body>',
    '<h1>Evaluation report</h1>',
    `<p>Runs compared: ${stats.map((s) => `<code>${escapeXml(s.label)}</code> (${escapeXml(s.model)})`).join(', ')}.</p>`,
    `<figure>${charts.resolveRate.svg.trim()}</figure>`,
    `<figure>${charts.exitStatus.svg.trim()}</figure>`,
    '<h2>Summary</h2>',
    htmlTable(head(''), summaryRows(stats)),
    '<h2>Exit status</h2>',
    htmlTable(head('exit status'), exitRows(stats)),
    '<h2>Per-instance outcomes</h2>',
    `<p>${escapeXml(LEGEND.replace(/`/g, ''))}</p>`,
    htmlTable(head('instance'), matrixRows(stats)),
    '</body>',
    '</html>',
  ].join('\n')}\n`;
}
