/**
 * Grading exactly as SWE-bench's `swebench/harness/grading.py` (PASS_AND_FAIL evaluation):
 * - a FAIL_TO_PASS test succeeds when it PASSED (or XFAIL); it fails when absent, FAILED, ERROR
 *   or SKIPPED (a skipped F2P test is no resolution: a patch that makes them skip is not a fix);
 * - a PASS_TO_PASS test is maintained when it PASSED, XFAIL or SKIPPED; it fails when absent,
 *   FAILED or ERROR;
 * - each ratio is 1 when its list is empty; FULL when both are 1, PARTIAL when 0 < f2p < 1 and
 *   p2p is 1, else NO. `resolved` means FULL;
 * - an id is looked up as written; an id truncated inside a pytest parameter (more `[` than `]`,
 *   as some SWE-bench Verified ids are) matches the reported ids it prefixes, when they agree on
 *   passing or not.
 */
import { z } from 'zod';
import type { StatusMap, TestStatus } from './adapters/types.ts';

export const resolutionStatusSchema = z.enum(['RESOLVED_FULL', 'RESOLVED_PARTIAL', 'RESOLVED_NO']);
export type ResolutionStatus = z.infer<typeof resolutionStatusSchema>;

export interface TestsStatus {
  FAIL_TO_PASS: { success: string[]; failure: string[] };
  PASS_TO_PASS: { success: string[]; failure: string[] };
}

const PASSED: TestStatus[] = ['PASSED', 'XFAIL'];

/** The status reported for `id` (see the truncated-id rule above), or undefined when none is. */
export function statusOf(id: string, map: StatusMap): TestStatus | undefined {
  if (Object.hasOwn(map, id)) return map[id];
  if ((id.match(/\[/g)?.length ?? 0) <= (id.match(/\]/g)?.length ?? 0)) return undefined;
  const matches = Object.keys(map).filter((k) => k.startsWith(id));
  const outcomes = new Set(matches.map((k) => PASSED.includes(map[k] as TestStatus)));
  return outcomes.size === 1 ? map[matches[0] as string] : undefined;
}

export function testPassed(id: string, map: StatusMap): boolean {
  const s = statusOf(id, map);
  return s !== undefined && PASSED.includes(s);
}

export function testMaintained(id: string, map: StatusMap): boolean {
  return testPassed(id, map) || statusOf(id, map) === 'SKIPPED';
}

export function gradeTests(
  map: StatusMap,
  gold: { FAIL_TO_PASS: string[]; PASS_TO_PASS: string[] },
): TestsStatus {
  const f2p = { success: [] as string[], failure: [] as string[] };
  for (const id of gold.FAIL_TO_PASS) (testPassed(id, map) ? f2p.success : f2p.failure).push(id);
  const p2p = { success: [] as string[], failure: [] as string[] };
  for (const id of gold.PASS_TO_PASS) (testMaintained(id, map) ? p2p.success : p2p.failure).push(id);
  return { FAIL_TO_PASS: f2p, PASS_TO_PASS: p2p };
}

function ratio(part: { success: string[]; failure: string[] }): number {
  const total = part.success.length + part.failure.length;
  return total === 0 ? 1 : part.success.length / total;
}

export function resolutionStatus(report: TestsStatus): ResolutionStatus {
  const f2p = ratio(report.FAIL_TO_PASS);
  const p2p = ratio(report.PASS_TO_PASS);
  if (f2p === 1 && p2p === 1) return 'RESOLVED_FULL';
  if (f2p > 0 && f2p < 1 && p2p === 1) return 'RESOLVED_PARTIAL';
  return 'RESOLVED_NO';
}

/** One instance's entry in SWE-bench's `report.json` (`{<instance_id>: InstanceReport}`). */
export interface InstanceReport {
  patch_is_None: boolean;
  patch_exists: boolean;
  patch_successfully_applied: boolean;
  resolved: boolean;
  tests_status?: TestsStatus;
}

export function instanceReport(input: {
  patch: string | null;
  applied: boolean;
  tests?: TestsStatus;
}): InstanceReport {
  const report: InstanceReport = {
    patch_is_None: input.patch === null,
    patch_exists: input.patch !== null,
    patch_successfully_applied: input.applied,
    resolved: false,
  };
  if (!input.tests) return report;
  report.resolved = resolutionStatus(input.tests) === 'RESOLVED_FULL';
  report.tests_status = input.tests;
  return report;
}
