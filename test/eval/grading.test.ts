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

  it('grades a patch that makes every FAIL_TO_PASS test skip as NO, each skipped test a failure', () => {
    // grading.py's test_failed counts SKIPPED for F2P: without it the skipped tests would land in
    // neither list and the instance would score RESOLVED_FULL.
    const tests = gradeTests({ f1: 'SKIPPED', f2: 'SKIPPED', p1: 'PASSED', p2: 'SKIPPED' }, gold);
    expect(tests.FAIL_TO_PASS).toEqual({ success: [], failure: ['f1', 'f2'] });
    expect(tests.PASS_TO_PASS).toEqual({ success: ['p1', 'p2'], failure: [] });
    expect(resolutionStatus(tests)).toBe('RESOLVED_NO');
    expect(instanceReport({ patch: 'diff', applied: true, tests }).resolved).toBe(false);
  });

  it('matches an id truncated inside a pytest parameter when the tests it prefixes agree', () => {
    const truncated = 'test_grammar_fail[log(photon';
    const agree = {
      'test_grammar_fail[log(photon)]': 'PASSED',
      'test_grammar_fail[log(photon) x]': 'XFAIL',
    } as const;
    const split = {
      'test_grammar_fail[log(photon)]': 'PASSED',
      'test_grammar_fail[log(photon) x]': 'FAILED',
    } as const;
    const skipped = { 'test_grammar_fail[log(photon)]': 'SKIPPED' } as const;
    const grade = (map: StatusMap) =>
      gradeTests(map, { FAIL_TO_PASS: [truncated], PASS_TO_PASS: [truncated] });
    expect(grade(agree).FAIL_TO_PASS.success).toEqual([truncated]);
    // They disagree: the id resolves to nothing, so it is missing (a failure) for both lists.
    expect(grade(split).FAIL_TO_PASS.failure).toEqual([truncated]);
    expect(grade(split).PASS_TO_PASS.failure).toEqual([truncated]);
    // Skipped: a failure for FAIL_TO_PASS, maintained for PASS_TO_PASS.
    expect(grade(skipped).FAIL_TO_PASS.failure).toEqual([truncated]);
    expect(grade(skipped).PASS_TO_PASS.success).toEqual([truncated]);
    // Only truncated ids get the prefix rule: a complete id must match exactly.
    expect(
      gradeTests({ test_a_long: 'PASSED' }, { FAIL_TO_PASS: ['test_a'], PASS_TO_PASS: [] }).FAIL_TO_PASS
        .failure,
    ).toEqual(['test_a']);
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
