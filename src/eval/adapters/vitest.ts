/**
 * Vitest: its JSON reporter writes Jest's report shape, so it shares Jest's reader. The verbose
 * reporter stays on for the human log; its `✓`/`×`/`↓` lines are the fallback (SWE-bench's
 * `parse_log_vitest`) when no report was written.
 */
import { fromReport, stripAnsi } from './jest.ts';
import { filesFromTests, shellQuote } from './map-ids.ts';
import type { RunnerResults, TestAdapter, TestCase, TestStatus } from './types.ts';

export const vitestAdapter = {
  name: 'vitest',
  buildCommand({ base, files, resultFile }) {
    return [
      base,
      '--reporter=verbose',
      '--reporter=json',
      `--outputFile.json=${shellQuote(resultFile)}`,
      ...files.map(shellQuote),
    ].join(' ');
  },
  parse({ output, resultText, root }) {
    if (resultText) {
      try {
        const data = JSON.parse(resultText) as Parameters<typeof fromReport>[0];
        if (Array.isArray(data.testResults)) return fromReport(data, root);
      } catch {
        // fall through to the text output
      }
    }
    return parseVitestText(output);
  },
} satisfies TestAdapter;

const LINE = /^\s*(✓|×|↓)\s(.+?)(?:\s(?:\d+(?:\.\d+)?\s*m?s|\[skipped\]))?$/;

export function parseVitestText(output: string): RunnerResults {
  const tests: TestCase[] = [];
  for (const raw of output.split('\n')) {
    const m = LINE.exec(stripAnsi(raw));
    if (!m?.[2]) continue;
    const status: TestStatus = m[1] === '✓' ? 'PASSED' : m[1] === '×' ? 'FAILED' : 'SKIPPED';
    // Verbose lines read `file > suite > test`; the full name joins the describe chain by spaces.
    const parts = m[2].split(' > ').map((p) => p.trim());
    const first = parts[0] ?? '';
    const hasFile = parts.length > 1 && /\.[cm]?[jt]sx?$/.test(first);
    const chain = hasFile ? parts.slice(1) : parts;
    tests.push({
      file: hasFile ? first : undefined,
      name: chain.join(' '),
      title: chain[chain.length - 1] ?? '',
      status,
    });
  }
  return { tests, files: filesFromTests(tests) };
}
