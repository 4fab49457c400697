/**
 * The "Validation" section of a PR body: the command, baseline vs after counts, and the tests whose
 * status changed. Test names come from the repository and are untrusted: they go inside inline code
 * with backticks and pipes neutralised, so they can neither break the table nor mention anyone.
 */
import type { Comparison, TestRun, TestStatus } from './types.ts';

const MAX_ROWS = 50;

function code(text: string): string {
  const clean = text.replace(/[`\r\n]/g, "'").replace(/\|/g, '\\|');
  return `\`${clean.length > 200 ? `${clean.slice(0, 199)}…` : clean}\``;
}

function counts(run: TestRun): Record<TestStatus, number> | null {
  if (!run.tests) return null;
  const c = { passed: 0, failed: 0, skipped: 0 };
  for (const s of Object.values(run.tests)) c[s]++;
  return c;
}

const VERDICT: Record<Comparison['verdict'], string> = {
  no_new_failures: '✅ no new failures',
  new_failures: '❌ new failures',
  unknown: '⚠️ inconclusive (the tests failed before the change too, and could not be read per test)',
};

function changedRows(baseline: TestRun, after: TestRun, c: Comparison): string[] {
  const statusOf = (run: TestRun, id: string) => run.tests?.[id] ?? (run.tests ? 'not run' : '—');
  // Pseudo ids such as "(test command failed)" name no test; the summary line already says them.
  const ids = [...c.newFailures, ...c.missing, ...c.fixed].filter(
    (id) => id in (baseline.tests ?? {}) || id in (after.tests ?? {}),
  );
  const rows = ids
    .slice(0, MAX_ROWS)
    .map((id) => `| ${code(id)} | ${statusOf(baseline, id)} | ${statusOf(after, id)} |`);
  if (ids.length > MAX_ROWS) rows.push(`| … and ${ids.length - MAX_ROWS} more | | |`);
  return rows;
}

export function formatEvidence(input: { baseline: TestRun; after: TestRun; comparison: Comparison }): string {
  const { baseline, after, comparison: c } = input;
  const before = counts(baseline);
  const now = counts(after);
  const cell = (n: Record<TestStatus, number> | null, k: TestStatus) => (n ? String(n[k]) : '—');
  const lines = [
    '### Validation',
    '',
    `Command: ${code(after.command)}`,
    `Result: **${VERDICT[c.verdict]}** — ${c.summary}`,
    '',
    '| | before the change | after the change |',
    '|---|---|---|',
    `| exit code | ${baseline.timedOut ? 'timed out' : baseline.exitCode} | ${after.timedOut ? 'timed out' : after.exitCode} |`,
    `| passed | ${cell(before, 'passed')} | ${cell(now, 'passed')} |`,
    `| failed | ${cell(before, 'failed')} | ${cell(now, 'failed')} |`,
    `| skipped | ${cell(before, 'skipped')} | ${cell(now, 'skipped')} |`,
    `| duration | ${(baseline.durationMs / 1000).toFixed(1)} s | ${(after.durationMs / 1000).toFixed(1)} s |`,
  ];
  const rows = changedRows(baseline, after, c);
  if (rows.length > 0)
    lines.push('', 'Tests whose status changed:', '', '| test | before | after |', '|---|---|---|', ...rows);
  if (c.stillFailing.length > 0)
    lines.push('', `${c.stillFailing.length} test(s) failed before the change and still fail.`);
  return `${lines.join('\n')}\n`;
}
