/**
 * Jest's `--json` report; vitest's json reporter writes the same shape. A test file that failed
 * to load (syntax error, missing module) has no assertion results, only a message: it is recorded
 * as one failed id for the file, so breaking a whole file shows up as a new failure.
 */

import { stripAnsi } from '../excerpt.ts';
import type { ParsedResults, TestStatus } from '../types.ts';
import { createResultsBuilder, relativePath } from './results.ts';

interface Assertion {
  ancestorTitles?: unknown;
  title?: unknown;
  fullName?: unknown;
  status?: unknown;
  failureMessages?: unknown;
}

interface FileResult {
  name?: unknown;
  status?: unknown;
  message?: unknown;
  assertionResults?: unknown;
}

function statusOf(status: unknown): TestStatus {
  if (status === 'passed') return 'passed';
  if (status === 'failed') return 'failed';
  return 'skipped'; // pending, todo, skipped, disabled
}

function assertionId(file: string, a: Assertion): string {
  const ancestors = Array.isArray(a.ancestorTitles) ? a.ancestorTitles.map(String) : [];
  const title = typeof a.title === 'string' ? a.title : String(a.fullName ?? '(unnamed)');
  return [file, ...ancestors, title].join(' > ');
}

export function parseJestJson(text: string, options: { workdir?: string } = {}): ParsedResults | null {
  let report: { testResults?: unknown };
  try {
    // Jest prints nothing else to the report file, but a `--json` run to stdout may have a preamble.
    const start = text.indexOf('{');
    report = JSON.parse(start > 0 ? text.slice(start) : text);
  } catch {
    return null;
  }
  if (!report || !Array.isArray(report.testResults)) return null;
  const results = createResultsBuilder();
  for (const file of report.testResults as FileResult[]) {
    const path = relativePath(String(file.name ?? '(unknown file)'), options.workdir);
    const assertions = Array.isArray(file.assertionResults) ? (file.assertionResults as Assertion[]) : [];
    for (const a of assertions) {
      const messages = Array.isArray(a.failureMessages) ? a.failureMessages.map(String).join('\n') : '';
      results.add(assertionId(path, a), statusOf(a.status), stripAnsi(messages));
    }
    if (assertions.length === 0 && file.status === 'failed')
      results.add(`${path} > (file failed to run)`, 'failed', stripAnsi(String(file.message ?? '')));
  }
  return results.build();
}
