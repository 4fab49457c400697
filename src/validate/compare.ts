/**
 * Baseline vs after. A change is acceptable when it adds no failure relative to the tests before
 * it (docs/validation.md spells out every case):
 * - per test, when both runs were read per test: a test failing after that did not fail before is a
 *   new failure; a test that passed before and did not run after is missing (deleting or breaking a
 *   test file is not a fix); the command failing where it used to succeed with no test to blame is
 *   a new failure of the command itself;
 * - by exit code otherwise: after passing is fine; after failing when the baseline passed is a new
 *   failure; both failing is `unknown`, which is NOT ok — we cannot tell whether the change broke
 *   more, so the caller must not present it as validated.
 * A run that timed out when the baseline did not is a new failure.
 */
import type { Comparison, TestRun, TestStatus } from './types.ts';

export const COMMAND_FAILED = '(test command failed)';
export const COMMAND_TIMED_OUT = '(test command timed out)';

function failedIds(tests: Record<string, TestStatus>): string[] {
  return Object.keys(tests).filter((id) => tests[id] === 'failed');
}

function perTest(before: Record<string, TestStatus>, after: Record<string, TestStatus>) {
  const newFailures: string[] = [];
  const fixed: string[] = [];
  const stillFailing: string[] = [];
  const missing: string[] = [];
  for (const [id, status] of Object.entries(after)) {
    if (status === 'failed') (before[id] === 'failed' ? stillFailing : newFailures).push(id);
    else if (status === 'passed' && before[id] === 'failed') fixed.push(id);
  }
  for (const [id, status] of Object.entries(before))
    if (status === 'passed' && !(id in after)) missing.push(id);
  return { newFailures, fixed, stillFailing, missing };
}

export function compareRuns(baseline: TestRun, after: TestRun): Comparison {
  const timedOut = after.timedOut && !baseline.timedOut ? [COMMAND_TIMED_OUT] : [];
  if (baseline.tests && after.tests) {
    const r = perTest(baseline.tests, after.tests);
    const newFailures = [...timedOut, ...r.newFailures];
    if (newFailures.length === 0 && baseline.passed && !after.passed) newFailures.push(COMMAND_FAILED);
    const bad = newFailures.length > 0 || r.missing.length > 0;
    const verdict = bad ? 'new_failures' : 'no_new_failures';
    return finish({ ...r, newFailures, verdict, basis: 'per-test' }, baseline, after);
  }
  const base = { fixed: [], stillFailing: [], missing: [], basis: 'exit-code' as const };
  if (after.passed) return finish({ ...base, newFailures: [], verdict: 'no_new_failures' }, baseline, after);
  if (baseline.passed) {
    const named = after.tests ? failedIds(after.tests) : [];
    const newFailures = [...timedOut, ...(named.length > 0 ? named : [COMMAND_FAILED])];
    return finish({ ...base, newFailures, verdict: 'new_failures' }, baseline, after);
  }
  if (timedOut.length > 0)
    return finish({ ...base, newFailures: timedOut, verdict: 'new_failures' }, baseline, after);
  return finish({ ...base, newFailures: [], verdict: 'unknown' }, baseline, after);
}

function finish(c: Omit<Comparison, 'ok' | 'summary'>, baseline: TestRun, after: TestRun): Comparison {
  return { ...c, ok: c.verdict === 'no_new_failures', summary: summarize(c, baseline, after) };
}

function list(ids: string[], max = 5): string {
  const shown = ids.slice(0, max).join(', ');
  return ids.length > max ? `${shown}, and ${ids.length - max} more` : shown;
}

function summarize(c: Omit<Comparison, 'ok' | 'summary'>, baseline: TestRun, after: TestRun): string {
  if (c.verdict === 'unknown')
    return `unknown: \`${after.command}\` failed before and after the change (exit ${baseline.exitCode} → ${after.exitCode}) and its results could not be read per test`;
  const parts: string[] = [];
  if (c.newFailures.length > 0) parts.push(`${c.newFailures.length} new failure(s): ${list(c.newFailures)}`);
  if (c.missing.length > 0)
    parts.push(`${c.missing.length} test(s) that passed before did not run: ${list(c.missing)}`);
  if (c.verdict === 'no_new_failures') parts.push('no new failures');
  if (c.fixed.length > 0) parts.push(`${c.fixed.length} fixed`);
  if (c.stillFailing.length > 0)
    parts.push(`${c.stillFailing.length} still failing (failed before the change too)`);
  if (c.basis === 'exit-code') parts.push(`judged by exit code (${baseline.exitCode} → ${after.exitCode})`);
  return parts.join('; ');
}
