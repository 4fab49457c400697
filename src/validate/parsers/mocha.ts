/**
 * Mocha: its `json` reporter, and its default `spec` text. The spec text is only trusted when the
 * tests it lists add up to the "N passing / N failing" summary it prints; otherwise (a custom
 * reporter, interleaved console output) it returns null and the run is judged by exit code.
 */

import { stripAnsi } from '../excerpt.ts';
import type { ParsedResults } from '../types.ts';
import { createResultsBuilder, relativePath } from './results.ts';

interface MochaTest {
  fullTitle?: unknown;
  title?: unknown;
  file?: unknown;
  err?: { message?: unknown; stack?: unknown };
}

export function parseMochaJson(text: string, options: { workdir?: string } = {}): ParsedResults | null {
  let report: { passes?: unknown; failures?: unknown; pending?: unknown };
  try {
    const start = text.indexOf('{');
    report = JSON.parse(start > 0 ? text.slice(start) : text);
  } catch {
    return null;
  }
  if (!report || !Array.isArray(report.passes) || !Array.isArray(report.failures)) return null;
  const results = createResultsBuilder();
  const id = (t: MochaTest) => {
    const title = String(t.fullTitle ?? t.title ?? '(unnamed)');
    return typeof t.file === 'string' ? `${relativePath(t.file, options.workdir)} > ${title}` : title;
  };
  for (const t of report.passes as MochaTest[]) results.add(id(t), 'passed');
  for (const t of (Array.isArray(report.pending) ? report.pending : []) as MochaTest[])
    results.add(id(t), 'skipped');
  for (const t of report.failures as MochaTest[])
    results.add(id(t), 'failed', String(t.err?.stack ?? t.err?.message ?? ''));
  return results.build();
}

const PASS = /^(\s*)[✓✔√]\s+(.+?)(?:\s+\(\d+\s*m?s\))?$/;
const FAIL = /^(\s*)(\d+)\) (.+)$/;
const PENDING = /^(\s*)- (.+)$/;
const SUMMARY = /^\s*(\d+) (passing|failing|pending)\b/;

export function parseMochaSpec(output: string): ParsedResults | null {
  const lines = stripAnsi(output).split(/\r?\n/);
  const summaryAt = lines.findIndex((l) => /^\s*\d+ passing\b/.test(l));
  if (summaryAt === -1) return null;
  const expected = { passing: 0, failing: 0, pending: 0 };
  for (const l of lines.slice(summaryAt, summaryAt + 4)) {
    const m = SUMMARY.exec(l);
    if (m) expected[m[2] as keyof typeof expected] = Number(m[1]);
  }
  const results = createResultsBuilder();
  const seen = { passing: 0, failing: 0, pending: 0 };
  const suites: { indent: number; title: string }[] = [];
  const idOf = (indent: number, title: string) => {
    while (suites.length > 0 && suites[suites.length - 1]!.indent >= indent) suites.pop();
    return [...suites.map((s) => s.title), title].join(' > ');
  };
  for (const line of lines.slice(0, summaryAt)) {
    const pass = PASS.exec(line);
    const fail = pass ? null : FAIL.exec(line);
    const pending = pass || fail ? null : PENDING.exec(line);
    if (pass) {
      results.add(idOf(pass[1]!.length, pass[2]!), 'passed');
      seen.passing++;
    } else if (fail) {
      results.add(idOf(fail[1]!.length, fail[3]!), 'failed', failureText(lines, summaryAt, fail[2]!));
      seen.failing++;
    } else if (pending) {
      results.add(idOf(pending[1]!.length, pending[2]!), 'skipped');
      seen.pending++;
    } else if (line.trim() !== '') {
      const indent = line.length - line.trimStart().length;
      idOf(indent, '');
      suites.push({ indent, title: line.trim() });
    }
  }
  const consistent = seen.passing === expected.passing && seen.failing === expected.failing;
  return consistent ? results.build() : null;
}

/** The numbered block after the summary: "  1) suite\n       test:\n     Error: ..." up to the next one. */
function failureText(lines: string[], from: number, n: string): string {
  const start = lines.findIndex((l, i) => i > from && new RegExp(`^\\s*${n}\\) `).test(l));
  if (start === -1) return '';
  const end = lines.findIndex((l, i) => i > start && /^\s*\d+\) /.test(l));
  return lines
    .slice(start, end === -1 ? undefined : end)
    .join('\n')
    .trim();
}
