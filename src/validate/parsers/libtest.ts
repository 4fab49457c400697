/**
 * Rust's libtest text (`cargo test`): "test path ... ok|FAILED|ignored" per test, grouped under
 * "Running <target>" / "Doc-tests <crate>" headers, which prefix the ids because two test binaries
 * can hold tests of the same name. Failure text comes from the "---- name stdout ----" blocks.
 */

import { stripAnsi } from '../excerpt.ts';
import type { ParsedResults, TestStatus } from '../types.ts';
import { createResultsBuilder } from './results.ts';

const RESULT = /^test (.+?) \.\.\. (ok|FAILED|ignored)\b/;
const TARGET = /^\s*(?:Running (?:unittests )?(\S+)|Doc-tests (\S+))/;
const STATUS: Record<string, TestStatus> = { ok: 'passed', FAILED: 'failed', ignored: 'skipped' };

export function parseLibtest(output: string): ParsedResults | null {
  const lines = stripAnsi(output).split(/\r?\n/);
  const results = createResultsBuilder();
  let target = '';
  let targetLine = 0;
  let failedHere: { id: string; name: string }[] = [];
  let sawSummary = false;
  // A binary's failure blocks sit between its results and its "test result:" line.
  const attach = (from: number, to: number) => {
    const block = lines.slice(from, to);
    for (const f of failedHere) {
      const start = block.indexOf(`---- ${f.name} stdout ----`);
      if (start === -1) continue;
      const end = block.findIndex((l, i) => i > start && (/^---- .+ ----$/.test(l) || l === 'failures:'));
      results.add(f.id, 'failed', block.slice(start + 1, end === -1 ? undefined : end).join('\n'));
    }
    failedHere = [];
  };
  lines.forEach((line, i) => {
    const t = TARGET.exec(line);
    if (t) {
      target = t[1] ?? `doc-tests ${t[2]}`;
      targetLine = i;
      return;
    }
    const m = RESULT.exec(line);
    if (m) {
      const id = target ? `${target} > ${m[1]}` : m[1]!;
      results.add(id, STATUS[m[2]!]!);
      if (m[2] === 'FAILED') failedHere.push({ id, name: m[1]! });
    } else if (/^test result: /.test(line)) {
      sawSummary = true;
      attach(targetLine, i);
    }
  });
  return sawSummary ? results.build() : null;
}
