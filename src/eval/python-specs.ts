/**
 * The twelve Python repositories of SWE-bench Verified as the official harness runs them
 * (`swebench/harness/constants/python.py`, `test_spec/python.py`, `log_parsers/python.py`):
 * the test command per version, the log parser, and how the test directives come from the
 * `test_patch`. The environment is the instance image's: the repository at /testbed and a conda
 * env `testbed`, activated as the images' eval scripts do, so the same command line runs in the
 * official images and in a local image with that layout (scripts/build-swebench-py-image.sh).
 */
import { BASE_ENV } from '../sandbox/index.ts';
import type { AdapterName } from './adapters/types.ts';
import type { SwebenchInstance } from './instances.ts';

/** Where the official images keep the repository, and how their eval scripts enter its environment. */
export const TESTBED = '/testbed';
export const ACTIVATE = 'source /opt/miniconda3/bin/activate && conda activate testbed';

/**
 * The agent's sandbox in such an image: the testbed env first on PATH, as the images' shells have
 * it after `conda activate testbed`, so `python` and `pytest` are the instance's.
 */
export const TESTBED_ENV: Record<string, string> = {
  PATH: `/opt/miniconda3/envs/testbed/bin:/opt/miniconda3/bin:${BASE_ENV.PATH}`,
  CONDA_DEFAULT_ENV: 'testbed',
  CONDA_PREFIX: '/opt/miniconda3/envs/testbed',
};

const PYTEST = 'pytest -rA';
const DJANGO = './tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1';
const SYMPY = "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose";
const ASTROPY_OLD = 'pytest -rA -vv -o console_output_style=classic --tb=no';
const SPHINX = 'tox --current-env -epy39 -v --';

export interface PythonRepoSpec {
  testCmd: (version: string) => string;
  adapter: AdapterName;
  /** Test files as paths, or Django's dotted test modules (`tests/` dropped, `.py` dropped). */
  directives: 'files' | 'django-modules';
  /** The spec's `eval_commands`: run before the tests, each whatever the last one's exit code. */
  evalCommands?: (version: string) => string[];
  /** The spec's install command; the official images ran it when they were built. */
  install: string;
}

const DJANGO_LOCALE_OLD = [
  'export LANG=en_US.UTF-8',
  'export LC_ALL=en_US.UTF-8',
  'export PYTHONIOENCODING=utf8',
  'export LANGUAGE=en_US:en',
];
const DJANGO_LOCALE_3 = [
  "sed -i '/en_US.UTF-8/s/^# //g' /etc/locale.gen && locale-gen",
  'export LANG=en_US.UTF-8',
  'export LANGUAGE=en_US:en',
  'export LC_ALL=en_US.UTF-8',
];

function versionIn(version: string, list: string[]): boolean {
  return list.includes(version);
}

const pytestRepo = (adapter: AdapterName, install: string, testCmd = PYTEST): PythonRepoSpec => ({
  testCmd: () => testCmd,
  adapter,
  directives: 'files',
  install,
});

export const PYTHON_SPECS: Record<string, PythonRepoSpec> = {
  'astropy/astropy': {
    testCmd: (v) => (versionIn(v, ['0.1', '0.2', '0.3', '0.4', '1.1', '1.2', '1.3']) ? ASTROPY_OLD : PYTEST),
    adapter: 'pytest-v2',
    directives: 'files',
    install: 'python -m pip install -e .[test] --verbose',
  },
  'django/django': {
    testCmd: (v) => (v === '1.9' ? './tests/runtests.py --verbosity 2' : DJANGO),
    adapter: 'django',
    directives: 'django-modules',
    evalCommands: (v) => {
      if (versionIn(v, ['1.7', '1.8', '1.9', '1.10', '1.11', '2.0', '2.1', '2.2'])) return DJANGO_LOCALE_OLD;
      if (versionIn(v, ['3.0', '3.1', '3.2'])) return DJANGO_LOCALE_3;
      return [];
    },
    install: 'python -m pip install -e .',
  },
  'matplotlib/matplotlib': pytestRepo('matplotlib', 'python -m pip install -e .'),
  'mwaskom/seaborn': pytestRepo('seaborn', 'python -m pip install -e .[dev]', 'pytest --no-header -rA'),
  'pallets/flask': pytestRepo('pytest', 'python -m pip install -e .'),
  'psf/requests': pytestRepo('pytest-options', 'python -m pip install .'),
  'pydata/xarray': pytestRepo('pytest', 'python -m pip install -e .'),
  'pylint-dev/pylint': pytestRepo('pytest-options', 'python -m pip install -e .'),
  'pytest-dev/pytest': pytestRepo('pytest', 'python -m pip install -e .'),
  'scikit-learn/scikit-learn': pytestRepo(
    'pytest-v2',
    'python -m pip install -v --no-use-pep517 --no-build-isolation -e .',
  ),
  'sphinx-doc/sphinx': pytestRepo('pytest-v2', 'python -m pip install -e .[test]', SPHINX),
  'sympy/sympy': {
    testCmd: () => SYMPY,
    adapter: 'sympy',
    directives: 'files',
    install: 'python -m pip install -e .',
  },
};

/** A Verified Python repository's instance, run by its spec (an own `test_cmd` opts out). */
export function isVerifiedPython(instance: SwebenchInstance): boolean {
  return PYTHON_SPECS[instance.repo] !== undefined && !instance.test_cmd;
}

// Files a test patch touches that are not tests (upstream's NON_TEST_EXTS; "csv" has no dot there).
const NON_TEST_EXTS = [
  '.json',
  '.png',
  'csv',
  '.txt',
  '.md',
  '.jpg',
  '.jpeg',
  '.pkl',
  '.yml',
  '.yaml',
  '.toml',
];

/** The test directives of an instance: the files its `test_patch` touches, as the harness picks them. */
export function testDirectives(spec: PythonRepoSpec, testPatch: string): string[] {
  const files = [...testPatch.matchAll(/diff --git a\/.* b\/(.*)/g)]
    .map((m) => m[1] as string)
    .filter((f) => !NON_TEST_EXTS.some((ext) => f.endsWith(ext)));
  if (spec.directives === 'files') return files;
  return files.filter(isDjangoTestFile).map((f) =>
    f
      .replace(/\.py$/, '')
      .replace(/^tests\//, '')
      .replaceAll('/', '.'),
  );
}

function isDjangoTestFile(path: string): boolean {
  const name = path.split('/').at(-1) ?? '';
  return (
    name === 'tests.py' || name.startsWith('test_') || path.includes('/tests/') || path.includes('/test_')
  );
}

/**
 * What runs before the test command inside the sandbox: the env's activation and the spec's eval
 * commands, one per line as in the harness's eval script (which has no `set -e`).
 */
export function testPreamble(spec: PythonRepoSpec, version: string): string {
  return [ACTIVATE, ...(spec.evalCommands?.(version) ?? [])].join('\n');
}
