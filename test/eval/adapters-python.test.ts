import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDjangoLog } from '../../src/eval/adapters/django.ts';
import { ADAPTERS, mapToIds } from '../../src/eval/adapters/index.ts';
import {
  parseMatplotlibLog,
  parsePytestLog,
  parsePytestOptionsLog,
  parsePytestV2Log,
  parseSeabornLog,
} from '../../src/eval/adapters/pytest-logs.ts';
import { parseSympyLog } from '../../src/eval/adapters/sympy.ts';

// sympy's bin/test and pytest -rA logs are real runs of sympy__sympy-19495 and -17139 (paths
// rewritten to /testbed); the Django log follows runtests.py --verbosity 2's documented forms.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const asObject = (map: Map<string, string>) => Object.fromEntries(map);

describe("sympy's bin/test log", () => {
  it('reads ok, F and the failure header, as the official parser does', () => {
    const map = asObject(parseSympyLog(fixture('sympy-bin-test-fail.txt')));
    expect(map).toEqual({
      test_CondSet: 'PASSED',
      test_CondSet_intersect: 'PASSED',
      test_issue_9849: 'PASSED',
      test_simplified_FiniteSet_in_CondSet: 'PASSED',
      test_free_symbols: 'PASSED',
      test_subs_CondSet: 'FAILED',
      test_subs_CondSet_tebr: 'PASSED',
      test_dummy_eq: 'PASSED',
      test_contains: 'PASSED',
      'sympy/sets/tests/test_conditionset.py:test_subs_CondSet': 'FAILED',
    });
  });

  it('passes the fixed test and leaves out expected failures', () => {
    const map = parseSympyLog(fixture('sympy-bin-test-pass.txt'));
    expect(map.get('test_subs_CondSet')).toBe('PASSED');
    expect(map.has('test_failing_contains')).toBe(false);
    expect([...map.values()].every((s) => s === 'PASSED')).toBe(true);
  });

  it('reads E, and drops the last test of a file whose line ends in the file mark (as the dataset does)', () => {
    const map = parseSympyLog(fixture('sympy-bin-test-error.txt'));
    expect(map.get('test__TR56')).toBe('ERROR');
    expect(map.get('test_TR15_16_17')).toBe('PASSED');
    // "test_as_f_sign_1 ok   [FAIL]": upstream's parser never reports it, and no PASS_TO_PASS lists it.
    expect(map.has('test_as_f_sign_1')).toBe(false);
    expect(map.get('test_factorial_simplify')).toBeUndefined();
  });

  it('builds the official command line and grades through the sympy adapter', () => {
    const adapter = ADAPTERS.sympy;
    expect(
      adapter.buildCommand({
        base: 'bin/test -C --verbose',
        files: ['sympy/a/tests/test_b.py'],
        resultFile: '',
      }),
    ).toBe('bin/test -C --verbose sympy/a/tests/test_b.py');
    const results = adapter.parse({
      output: fixture('sympy-bin-test-fail.txt'),
      resultText: null,
      root: '/testbed',
    });
    expect(mapToIds(['test_subs_CondSet', 'test_dummy_eq', 'test_missing'], results)).toEqual({
      test_subs_CondSet: 'FAILED',
      test_dummy_eq: 'PASSED',
    });
  });
});

describe("Django's runtests.py log", () => {
  const map = asObject(parseDjangoLog(fixture('django-runtests-v2.txt')));

  it('reads ok, FAIL, ERROR and skipped lines and the failure headers', () => {
    expect(map['test_autoescape (utils_tests.test_html.TestUtilsHtml)']).toBe('PASSED');
    expect(map['test_escape (utils_tests.test_html.TestUtilsHtml)']).toBe('FAILED');
    expect(map['test_format_html (utils_tests.test_html.TestUtilsHtml)']).toBe('ERROR');
    expect(map['test_json_script (utils_tests.test_html.TestUtilsHtml)']).toBe('SKIPPED');
    expect(map['test_urlize (utils_tests.test_html.TestUtilsHtml.test_urlize)']).toBe('PASSED');
    expect(map['test_changelist_view (admin_views.tests.AdminViewBasicTest.test_changelist_view)']).toBe(
      'FAILED',
    );
  });

  it('finds the status a docstring or stray output moved to a later line', () => {
    expect(map['A docstring that moved the status to the next line.']).toBe('PASSED');
    expect(map['test_smart_urlquote (utils_tests.test_html.TestUtilsHtml)']).toBe('PASSED');
    expect(map['test_strip_tags (utils_tests.test_html.TestUtilsHtml)']).toBe('PASSED');
  });

  it('keeps the header word as upstream does (FAIL: name), without crashing on a bare header', () => {
    expect(map.test_escape).toBe('FAILED');
    expect(asObject(parseDjangoLog('FAIL:\nERROR:'))).toEqual({});
  });
});

describe('pytest -rA logs', () => {
  it('reads a real sympy pytest run: PASSED, XFAIL and FAILED with its message', () => {
    const map = parsePytestLog(fixture('pytest-ra-sympy-fail.txt'));
    expect(map.get('sympy/sets/tests/test_conditionset.py::test_subs_CondSet')).toBe('FAILED');
    expect(map.get('sympy/sets/tests/test_conditionset.py::test_failing_contains')).toBe('XFAIL');
    expect(map.get('sympy/sets/tests/test_conditionset.py::test_CondSet')).toBe('PASSED');
    expect(map.size).toBe(10);
  });

  it('skips the skip summary but keeps the [100%] artefact upstream keeps', () => {
    const log = 'SKIPPED [2] testing/test_a.py:12: no network\nPASSED [100%]\nPASSED t.py::a';
    expect(asObject(parsePytestLog(log))).toEqual({ '[100%]': 'PASSED', 't.py::a': 'PASSED' });
  });

  it('options: an absolute path parameter keeps only its last part (requests, pylint)', () => {
    const log = [
      'PASSED tests/test_functional.py::test_functional[/testbed/tests/functional/r/regression.py]',
      'FAILED tests/test_x.py::test_glob[/tmp/*.py] - assert 1',
      'PASSED tests/test_x.py::test_url[//host/path]',
    ].join('\n');
    expect(asObject(parsePytestOptionsLog(log))).toEqual({
      'tests/test_functional.py::test_functional[/regression.py]': 'PASSED',
      'tests/test_x.py::test_glob[/tmp/*.py]': 'FAILED',
      'tests/test_x.py::test_url[//host/path]': 'PASSED',
    });
  });

  it('v2: colours and message dropped, ids with spaces whole, status-last lines read (astropy, sklearn, sphinx)', () => {
    const log = [
      '\u001b[32mPASSED\u001b[0m astropy/io/tests/test_a.py::test_b[a b]',
      'FAILED sklearn/tests/test_c.py::test_d - ValueError: x - y',
      'astropy/old/test_e.py::test_f PASSED',
      'SKIPPED [1] sphinx/tests/test_g.py:3: needs docutils',
    ].join('\n');
    expect(asObject(parsePytestV2Log(log))).toEqual({
      'astropy/io/tests/test_a.py::test_b[a b]': 'PASSED',
      'sklearn/tests/test_c.py::test_d': 'FAILED',
      'astropy/old/test_e.py::test_f': 'PASSED',
    });
  });

  it('seaborn and matplotlib variants', () => {
    expect(
      asObject(
        parseSeabornLog('tests/a.py::t1 PASSED [ 50%]\nFAILED tests/a.py::t2 - x\nPASSED tests/a.py::t3'),
      ),
    ).toEqual({ 'tests/a.py::t1': 'PASSED', 'tests/a.py::t2': 'FAILED', 'tests/a.py::t3': 'PASSED' });
    expect(asObject(parseMatplotlibLog('PASSED lib/t.py::test_click[MouseButton.LEFT]'))).toEqual({
      'lib/t.py::test_click[1]': 'PASSED',
    });
  });
});
