/**
 * The closing line of `scripts/test.sh`, from vitest's JSON report: `N passed, N failed, N skipped`
 * alone on a line (CI reads it). It counts what vitest's own counters miss: a file that failed
 * outside any test (an import error, a prerequisite missing under CI) is a failure, and a file that
 * ran no test at all (an empty or skipped suite) is a skip. Under CI anything skipped fails the run,
 * with the list of what was skipped.
 *
 * Usage: node test/support/run-summary.ts <vitest.json>   (exit 1 under CI when something skipped)
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { z } from 'zod';
import { inCI } from './ci.ts';

const AssertionSchema = z.object({ fullName: z.string(), status: z.string() });
const FileResultSchema = z.object({
  name: z.string(),
  status: z.string(),
  message: z.string().optional(),
  assertionResults: z.array(AssertionSchema),
});
const ReportSchema = z.object({ testResults: z.array(FileResultSchema) });
export type VitestReport = z.infer<typeof ReportSchema>;

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** What did not run: `file › test` for a skipped test, `file (no test ran)` for a whole file. */
  skippedList: string[];
  line: string;
}

const SKIPPED = new Set(['skipped', 'pending', 'todo', 'disabled']);

export function summarize(report: VitestReport, root = process.cwd()): RunSummary {
  let passed = 0;
  let failed = 0;
  const skippedList: string[] = [];
  for (const file of report.testResults) {
    const name = relative(root, file.name);
    const tests = file.assertionResults;
    const failedHere = tests.filter((t) => t.status === 'failed').length;
    passed += tests.filter((t) => t.status === 'passed').length;
    failed += failedHere;
    if (file.status === 'failed' && failedHere === 0) failed += 1; // failed outside any test
    const skippedHere = tests.filter((t) => SKIPPED.has(t.status));
    if (file.status !== 'failed' && skippedHere.length === tests.length) {
      skippedList.push(
        tests.length === 0
          ? `${name} (no test ran)`
          : `${name} (all ${tests.length} tests skipped: ${tests[0]?.fullName})`,
      );
    } else {
      for (const t of skippedHere) skippedList.push(`${name} › ${t.fullName}`);
    }
  }
  const skippedTests = report.testResults.reduce(
    (n, f) => n + f.assertionResults.filter((t) => SKIPPED.has(t.status)).length,
    0,
  );
  const emptyFiles = report.testResults.filter(
    (f) => f.status !== 'failed' && f.assertionResults.length === 0,
  ).length;
  const skipped = skippedTests + emptyFiles;
  return {
    passed,
    failed,
    skipped,
    skippedList,
    line: `${passed} passed, ${failed} failed, ${skipped} skipped`,
  };
}

/** Prints the summary; returns the exit code (1 under CI when anything was skipped). */
export function printSummary(reportPath: string, ci: boolean, out: (s: string) => void): number {
  const summary = summarize(ReportSchema.parse(JSON.parse(readFileSync(reportPath, 'utf8'))));
  if (summary.skippedList.length > 0) {
    out(`${ci ? 'Skipped, which fails a CI run' : 'Skipped'} (${summary.skippedList.length}):`);
    for (const s of summary.skippedList) out(`  - ${s}`);
  }
  out(summary.line);
  return ci && summary.skipped > 0 ? 1 : 0;
}

if (import.meta.main) {
  const path = process.argv[2];
  if (!path) {
    console.error('usage: node test/support/run-summary.ts <vitest-json-report>');
    process.exit(2);
  }
  try {
    process.exitCode = printSummary(path, inCI(), (s) => console.log(s));
  } catch (error) {
    console.error(`cannot read the test report ${path}: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
