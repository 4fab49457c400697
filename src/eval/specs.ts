/**
 * How to install and test each repository: a built-in table like SWE-bench's
 * `MAP_REPO_VERSION_TO_SPECS`, for the JavaScript repositories of ../shared/swebench-js and the
 * twelve Python repositories of SWE-bench Verified (python-specs.ts), plus the per-instance
 * Conjecture extras (`install`, `test_cmd`, `test_runner`) for anything else.
 */

import { ConjectureError } from '../core/errors.ts';
import { ADAPTERS, type AdapterName, fileOfId, inferAdapter, type TestAdapter } from './adapters/index.ts';
import type { SwebenchInstance } from './instances.ts';
import { PYTHON_SPECS, TESTBED, testDirectives, testPreamble } from './python-specs.ts';

export interface RepoSpec {
  /** Installs dependencies; runs in the setup sandbox, with network. */
  install: string;
  /** The runner invocation; the adapter adds its reporter flags and the test files. */
  testCmd: string;
  adapter: AdapterName;
  /**
   * Which files to run: 'from-ids' runs the files the ids name (all ids, so PASS_TO_PASS files
   * run too); a list runs those paths whatever the ids (mocha titles name no file).
   */
  files: 'from-ids' | string[];
  /**
   * True when the install needs only the package manifests (npm/yarn): the result is cached per
   * manifest hash and linked into each checkout. False runs it inside each checkout.
   */
  manifestOnly: boolean;
  /** Runs before the test command in the same shell (a SWE-bench image's env activation). */
  preamble?: string;
  /** Where the checkout is mounted, when the image expects it somewhere (SWE-bench: /testbed). */
  workdir?: string;
}

const NPM = 'npm install --ignore-scripts';

export const REPO_SPECS: Record<string, RepoSpec> = {
  'iamkun/dayjs': {
    install: `${NPM} --legacy-peer-deps`,
    testCmd: 'npx jest --coverage=false',
    adapter: 'jest',
    files: 'from-ids',
    manifestOnly: true,
  },
  'expressjs/express': {
    install: NPM,
    testCmd: 'npx mocha --require test/support/env --reporter spec --check-leaks',
    adapter: 'mocha',
    files: ['test/', 'test/acceptance/'],
    manifestOnly: true,
  },
  'anuraghazra/github-readme-stats': {
    install: NPM,
    testCmd: 'node --experimental-vm-modules node_modules/jest/bin/jest.js --coverage=false',
    adapter: 'jest',
    files: 'from-ids',
    manifestOnly: true,
  },
};

export interface ResolvedSpec extends RepoSpec {
  runner: TestAdapter;
}

/** The spec for an instance: its own extras override the table; an unknown repo needs `test_cmd`. */
export function specFor(instance: SwebenchInstance): ResolvedSpec {
  const python = PYTHON_SPECS[instance.repo];
  if (python && !instance.test_cmd) return pythonSpec(instance, python);
  const table = REPO_SPECS[instance.repo];
  const testCmd = instance.test_cmd ?? table?.testCmd;
  if (!testCmd) {
    throw new ConjectureError(`no test command known for ${instance.repo}`, {
      code: 'spec_missing',
      hint: 'add "test_cmd" (and "install") to the instance, or a row to REPO_SPECS in src/eval/specs.ts',
    });
  }
  const adapter =
    instance.test_runner ?? (instance.test_cmd ? inferAdapter(testCmd) : table?.adapter) ?? table?.adapter;
  if (!adapter) {
    throw new ConjectureError(`cannot tell which test runner "${testCmd}" uses`, {
      code: 'spec_missing',
      hint: 'add "test_runner" (jest, mocha, vitest, node-test or pytest) to the instance',
    });
  }
  const install = instance.install ?? table?.install ?? '';
  return {
    install,
    testCmd,
    adapter,
    runner: ADAPTERS[adapter],
    files: instance.test_cmd ? 'from-ids' : (table?.files ?? 'from-ids'),
    manifestOnly:
      instance.install === undefined
        ? (table?.manifestOnly ?? false)
        : /^\s*(npm (install|ci)|yarn( install)?)\b/.test(install),
  };
}

/**
 * A Verified Python repository, run as the official harness runs it: in the instance's image,
 * whose environment was installed when the image was built (so no install here), on the test
 * directives its `test_patch` names.
 */
function pythonSpec(instance: SwebenchInstance, python: (typeof PYTHON_SPECS)[string]): ResolvedSpec {
  const version = instance.version ?? '';
  const adapter = instance.test_runner ?? python.adapter;
  return {
    install: instance.install ?? '',
    testCmd: python.testCmd(version),
    adapter,
    runner: ADAPTERS[adapter],
    files: testDirectives(python, instance.test_patch),
    manifestOnly: false,
    preamble: testPreamble(python, version),
    workdir: TESTBED,
  };
}

/** The test files to run: from the spec, or every file the ids name (sorted, unique). */
export function testFiles(spec: RepoSpec, ids: readonly string[]): string[] {
  if (spec.files !== 'from-ids') return [...spec.files];
  const files = new Set<string>();
  for (const id of ids) {
    const file = fileOfId(id);
    if (file) files.add(file);
  }
  return [...files].sort();
}
