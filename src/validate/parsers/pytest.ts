/**
 * pytest's "short test summary info" with `-rA`: one line per test (`PASSED nodeid`, `FAILED nodeid
 * - reason`, `ERROR nodeid`, `SKIPPED [n] file:line: reason`, `XFAIL`, `XPASS`). Trusted only when
 * the closing "N failed, M passed" line agrees with what was listed, because without `-rA` pytest
 * lists failures alone and every passing test would look missing.
 */

import { stripAnsi } from '../excerpt.ts';
import type { ParsedResults, TestStatus } from '../types.ts';
import { createResultsBuilder } from './results.ts';

const LINE = /^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\s+(.*)$/;
const STATUS: Record<string, TestStatus> = {
  PASSED: 'passed',
  XPASS: 'passed',
  FAILED: 'failed',
  ERROR: 'failed',
  SKIPPED: 'skipped',
  XFAIL: 'skipped',
};
const CLOSING = /^=+ (.*\b(?:passed|failed|error|errors|skipped|deselected|no tests ran)\b.*) in [\d.]+s/;

function closingCounts(lines: string[]): { passed: number; failed: number } | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = CLOSING.exec(lines[i]!);
    if (!m) continue;
    const count = (word: RegExp) => Number(word.exec(m[1]!)?.[1] ?? 0);
    return { passed: count(/(\d+) passed/), failed: count(/(\d+) failed/) + count(/(\d+) errors?/) };
  }
  return null;
}

export function parsePytestSummary(output: string): ParsedResults | null {
  const lines = stripAnsi(output).split(/\r?\n/);
  const start = lines.findIndex((l) => /^=+ short test summary info =+$/.test(l));
  const counts = closingCounts(lines);
  if (start === -1 || counts === null) return null;
  const results = createResultsBuilder();
  let passed = 0;
  let failed = 0;
  for (const line of lines.slice(start + 1)) {
    const m = LINE.exec(line);
    if (!m) continue;
    const status = STATUS[m[1]!]!;
    let rest = m[2]!;
    // SKIPPED lines name a location, not a test: "[2] tests/test_x.py:10: reason".
    if (m[1] === 'SKIPPED') rest = rest.replace(/^\[\d+\]\s*/, '').replace(/:\s.*$/, '');
    const [id, ...reason] = rest.split(' - ');
    results.add(id!.trim(), status, reason.join(' - '));
    if (m[1] === 'PASSED' || m[1] === 'XPASS') passed++;
    if (status === 'failed') failed++;
  }
  if (passed !== counts.passed || failed !== counts.failed) return null;
  return results.build();
}
