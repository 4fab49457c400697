import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { instanceConfig } from '../../src/eval/agent-instance.ts';
import { instanceSandbox } from '../../src/eval/instance-image.ts';
import { parseInstances, type SwebenchInstance } from '../../src/eval/instances.ts';
import { PYTHON_SPECS, testDirectives } from '../../src/eval/python-specs.ts';
import { specFor, testFiles } from '../../src/eval/specs.ts';

const dev = parseInstances(
  readFileSync(join(import.meta.dirname, '../../../shared/swebench-py/dev.jsonl'), 'utf8'),
  'dev.jsonl',
);
const { config } = loadConfig({ env: {} });

const instance = (over: Partial<SwebenchInstance>): SwebenchInstance => ({
  instance_id: 'o__r-1',
  repo: 'o/r',
  base_commit: 'abcdef1',
  problem_statement: '',
  patch: '',
  test_patch: '',
  FAIL_TO_PASS: [],
  PASS_TO_PASS: [],
  ...over,
});

const patchOf = (...files: string[]) =>
  files.map((f) => `diff --git a/${f} b/${f}\n--- a/${f}\n+++ b/${f}\n@@ -1 +1 @@\n-a\n+b\n`).join('');

describe('the SWE-bench Verified Python specs', () => {
  it('covers the twelve Verified repositories', () => {
    expect(Object.keys(PYTHON_SPECS).sort()).toEqual([
      'astropy/astropy',
      'django/django',
      'matplotlib/matplotlib',
      'mwaskom/seaborn',
      'pallets/flask',
      'psf/requests',
      'pydata/xarray',
      'pylint-dev/pylint',
      'pytest-dev/pytest',
      'scikit-learn/scikit-learn',
      'sphinx-doc/sphinx',
      'sympy/sympy',
    ]);
  });

  it("runs sympy's bin/test on the files the test patch touches, in the testbed env, at /testbed", () => {
    const sympy = dev.find((i) => i.instance_id === 'sympy__sympy-17139') as SwebenchInstance;
    const spec = specFor(sympy);
    expect(spec.adapter).toBe('sympy');
    expect(spec.install).toBe('');
    expect(spec.workdir).toBe('/testbed');
    expect(spec.preamble).toBe('source /opt/miniconda3/bin/activate && conda activate testbed');
    const command = spec.runner.buildCommand({
      base: spec.testCmd,
      files: testFiles(spec, []),
      resultFile: '',
    });
    expect(command).toBe(
      "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose sympy/simplify/tests/test_fu.py sympy/simplify/tests/test_simplify.py",
    );
  });

  it("turns Django's test files into dotted modules and keeps its per-version commands", () => {
    const django = instance({
      repo: 'django/django',
      version: '3.0',
      test_patch: patchOf(
        'tests/utils_tests/test_html.py',
        'tests/admin_views/tests.py',
        'django/utils/html.py',
        'tests/fixtures/data.json',
      ),
    });
    const spec = specFor(django);
    expect(spec.files).toEqual(['utils_tests.test_html', 'admin_views.tests']);
    expect(spec.testCmd).toBe('./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1');
    expect(spec.preamble?.split('\n')).toContain('export LC_ALL=en_US.UTF-8');
    expect(specFor({ ...django, version: '1.9' }).testCmd).toBe('./tests/runtests.py --verbosity 2');
    expect(specFor({ ...django, version: '4.2' }).preamble).not.toContain('LANG');
  });

  it('picks each pytest repository its own log parser and command', () => {
    const pick = (repo: string, version = '1.0') => {
      const s = specFor(instance({ repo, version }));
      return [s.testCmd, s.adapter];
    };
    expect(pick('psf/requests')).toEqual(['pytest -rA', 'pytest-options']);
    expect(pick('pylint-dev/pylint')).toEqual(['pytest -rA', 'pytest-options']);
    expect(pick('scikit-learn/scikit-learn')).toEqual(['pytest -rA', 'pytest-v2']);
    expect(pick('astropy/astropy', '5.0')).toEqual(['pytest -rA', 'pytest-v2']);
    expect(pick('astropy/astropy', '1.3')).toEqual([
      'pytest -rA -vv -o console_output_style=classic --tb=no',
      'pytest-v2',
    ]);
    expect(pick('sphinx-doc/sphinx')).toEqual(['tox --current-env -epy39 -v --', 'pytest-v2']);
    expect(pick('mwaskom/seaborn')).toEqual(['pytest --no-header -rA', 'seaborn']);
    expect(pick('matplotlib/matplotlib')).toEqual(['pytest -rA', 'matplotlib']);
    expect(pick('pallets/flask')).toEqual(['pytest -rA', 'pytest']);
  });

  it('leaves out files that are not tests, as upstream does', () => {
    const spec = PYTHON_SPECS['pytest-dev/pytest'];
    if (!spec) throw new Error('spec');
    expect(
      testDirectives(spec, patchOf('testing/test_a.py', 'doc/changelog.md', 'testing/data.csv')),
    ).toEqual(['testing/test_a.py']);
  });

  it('an instance with its own test_cmd is not forced into the testbed layout', () => {
    const own = instance({ repo: 'sympy/sympy', test_cmd: 'python3 -m pytest', test_runner: 'pytest' });
    expect(specFor(own).workdir).toBeUndefined();
    expect(instanceSandbox(config.sandbox, own).workdir).toBe(config.sandbox.workdir);
  });

  it('mounts a Verified instance at /testbed in the templated image, with no setup and no hidden-test validation', () => {
    const sympy = dev[0] as SwebenchInstance;
    const run = instanceConfig(config, sympy, 'swebench/sweb.eval.x86_64.{hub_id}:latest');
    expect(run.sandbox.image).toBe(
      `swebench/sweb.eval.x86_64.${sympy.instance_id.replace('__', '_1776_')}:latest`,
    );
    expect(run.sandbox.workdir).toBe('/testbed');
    expect(run.validate.setupCommand).toBe('true');
    expect(run.validate.enabled).toBe(false);
    const withTests = instanceConfig(
      { ...config, validate: { ...config.validate, testCommand: 'make test' } },
      sympy,
    );
    expect(withTests.validate.enabled).toBe(config.validate.enabled);
  });
});
