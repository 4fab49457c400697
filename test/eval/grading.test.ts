import { describe, expect, it } from 'vitest';
import type { StatusMap } from '../../src/eval/adapters/types.ts';
import { gradeTests, instanceReport, resolutionStatus } from '../../src/eval/grading.ts';
import { summarize } from '../../src/eval/summary.ts';

const gold = { FAIL_TO_PASS: ['f1', 'f2'], PASS_TO_PASS: ['p1', 'p2'] };

describe('grading (as swebench/harness/grading.py)', () => {
  it('is FULL when every FAIL_TO_PASS passes and every PASS_TO_PASS is maintained (skipped counts)', () => {
    const map: StatusMap = { f1: 'PASSED', f2: 'XFAIL', p1: 'PASSED', p2: 'SKIPPED' };
    const tests = gradeTests(map, gold);
    expect(tests.FAIL_TO_PASS).toEqual({ success: ['f1', 'f2'], failure: [] });
    expect(tests.PASS_TO_PASS).toEqual({ success: ['p1', 'p2'], failure: [] });
    expect(resolutionStatus(tests)).toBe('RESOLVED_FULL');
    expect(instanceReport({ patch: 'diff', applied: true, tests }).resolved).toBe(true);
  });

  it('counts a skipped or missing FAIL_TO_PASS test as a failure: PARTIAL when some pass', () => {
    const tests = gradeTests({ f1: 'PASSED', f2: 'SKIPPED', p1: 'PASSED', p2: 'PASSED' }, gold);
    expect(tests.FAIL_TO_PASS.failure).toEqual(['f2']);
    expect(resolutionStatus(tests)).toBe('RESOLVED_PARTIAL');
    expect(resolutionStatus(gradeTests({ f1: 'PASSED', p1: 'PASSED', p2: 'PASSED' }, gold))).toBe(
      'RESOLVED_PARTIAL',
    );
  });

  it('is NO when a PASS_TO_PASS test breaks or goes missing, or no FAIL_TO_PASS passes', () => {
    expect(
      resolutionStatus(gradeTests({ f1: 'PASSED', f2: 'PASSED', p1: 'FAILED', p2: 'PASSED' }, gold)),
    ).toBe('RESOLVED_NO');
    expect(resolutionStatus(gradeTests({ f1: 'PASSED', f2: 'PASSED', p1: 'PASSED' }, gold))).toBe(
      'RESOLVED_NO',
    );
    expect(
      resolutionStatus(gradeTests({ f1: 'ERROR', f2: 'FAILED', p1: 'PASSED', p2: 'PASSED' }, gold)),
    ).toBe('RESOLVED_NO');
    const partialButBroken = gradeTests({ f1: 'PASSED', p1: 'ERROR', p2: 'PASSED' }, gold);
    expect(resolutionStatus(partialButBroken)).toBe('RESOLVED_NO');
  });

  it('treats empty lists as satisfied', () => {
    expect(resolutionStatus(gradeTests({}, { FAIL_TO_PASS: [], PASS_TO_PASS: [] }))).toBe('RESOLVED_FULL');
  });

  it('reports a None patch, and an unapplied one, as unresolved without tests_status', () => {
    expect(instanceReport({ patch: null, applied: false })).toEqual({
      patch_is_None: true,
      patch_exists: false,
      patch_successfully_applied: false,
      resolved: false,
    });
    expect(instanceReport({ patch: 'x', applied: false })).toEqual({
      patch_is_None: false,
      patch_exists: true,
      patch_successfully_applied: false,
      resolved: false,
    });
  });
});

describe('summarize', () => {
  it('counts and lists instances per outcome, patch failures among errors', () => {
    const inst = ['a', 'b', 'c', 'd', 'e', 'f'].map((instance_id) => ({ instance_id }) as never);
    const preds = new Map(
      ['a', 'b', 'c', 'd', 'e'].map((id) => [
        id,
        { instance_id: id, model_name_or_path: 'm', model_patch: 'x' },
      ]),
    );
    const r = (
      instance_id: string,
      status: 'resolved' | 'unresolved' | 'empty_patch' | 'patch_failed' | 'error',
    ) => ({
      instance_id,
      model_name_or_path: 'm',
      status,
      resolution: null,
      fail_to_pass: null,
      pass_to_pass: null,
      duration_ms: 1,
    });
    const s = summarize({
      instances: inst,
      predictions: preds,
      results: [
        r('b', 'unresolved'),
        r('a', 'resolved'),
        r('c', 'empty_patch'),
        r('d', 'patch_failed'),
        r('e', 'error'),
      ],
      runId: 't',
      durationMs: 9,
    });
    expect(s).toMatchObject({
      total_instances: 6,
      submitted_instances: 5,
      completed_instances: 2,
      resolved_instances: 1,
      unresolved_instances: 1,
      empty_patch_instances: 1,
      error_instances: 2,
      completed_ids: ['a', 'b'],
      incomplete_ids: ['f'],
      error_ids: ['d', 'e'],
      patch_failed_ids: ['d'],
    });
  });
});
