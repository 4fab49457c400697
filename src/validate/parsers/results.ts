/** Accumulates per-test results; when one id is reported twice, a failure outranks a pass or a skip. */
import type { ParsedResults, TestStatus } from '../types.ts';

const RANK: Record<TestStatus, number> = { skipped: 0, passed: 1, failed: 2 };
/** Per-test failure text is capped: the feedback has ~3,000 characters for everything. */
export const MAX_MESSAGE_CHARS = 1_500;

export interface ResultsBuilder {
  add(id: string, status: TestStatus, message?: string): void;
  count(): number;
  build(text?: string): ParsedResults;
}

export function createResultsBuilder(): ResultsBuilder {
  const tests: Record<string, TestStatus> = {};
  const messages: Record<string, string> = {};
  return {
    add(id, status, message) {
      const key = id.trim() || '(unnamed test)';
      const previous = tests[key];
      if (previous === undefined || RANK[status] > RANK[previous]) tests[key] = status;
      if (status === 'failed' && message?.trim() && messages[key] === undefined)
        messages[key] = message.trim().slice(0, MAX_MESSAGE_CHARS);
    },
    count: () => Object.keys(tests).length,
    build: (text) => (text === undefined ? { tests, messages } : { tests, messages, text }),
  };
}

/** Test file paths relative to the repository root, so ids match across sandboxes. */
export function relativePath(path: string, workdir: string | undefined): string {
  let p = path.replace(/^file:\/\//, '');
  const root = workdir?.replace(/\/+$/, '');
  if (root && p.startsWith(`${root}/`)) p = p.slice(root.length + 1);
  return p;
}
