/** Node.js repositories: the `test` script of package.json, its runner, and the package manager. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyCommand, countNodeTestRuns } from './classify.ts';
import type { DiscoveredTestCommand, PackageManager, TestRunner } from './types.ts';

interface PackageJson {
  scripts?: Record<string, unknown>;
  packageManager?: unknown;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
}

// `npm init` writes this; it fails on purpose and means "this package has no tests".
const NPM_DEFAULT_TEST = /no test specified/;

export function readPackageJson(repoDir: string): PackageJson | null {
  const file = join(repoDir, 'package.json');
  if (!existsSync(file)) return null;
  try {
    const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return data !== null && typeof data === 'object' ? (data as PackageJson) : null;
  } catch {
    // A package.json that does not parse cannot run `npm test` either; other discovery may still work.
    return null;
  }
}

const LOCKFILES: [string, PackageManager][] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lockb', 'bun'],
  ['bun.lock', 'bun'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

export function detectPackageManager(repoDir: string, pkg?: PackageJson | null): PackageManager {
  for (const [file, pm] of LOCKFILES) if (existsSync(join(repoDir, file))) return pm;
  const declared = typeof pkg?.packageManager === 'string' ? pkg.packageManager.split('@')[0] : undefined;
  if (declared === 'yarn' || declared === 'pnpm' || declared === 'bun') return declared;
  return 'npm';
}

export function lockfileOf(repoDir: string): string | null {
  for (const [file] of LOCKFILES) if (existsSync(join(repoDir, file))) return file;
  return null;
}

/** The test script's runner; when the script wraps it (`react-scripts test`), fall back to the dependencies. */
function scriptRunner(script: string, pkg: PackageJson): { runner: TestRunner; appendable: boolean } {
  const classified = classifyCommand(script);
  if (classified.runner === 'node-test') {
    // Reporter flags go in through NODE_OPTIONS; that is only sound for a single `node --test` run
    // whose reporters the script does not set itself.
    return {
      runner: 'node-test',
      appendable: countNodeTestRuns(script) === 1 && !script.includes('--test-reporter'),
    };
  }
  if (classified.runner !== 'unknown') return classified;
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  for (const runner of ['jest', 'vitest', 'mocha', 'ava', 'tap'] as const) {
    if (new RegExp(`\\b${runner}\\b`).test(script) && runner in deps) return { runner, appendable: false };
  }
  return { runner: 'unknown', appendable: false };
}

export function discoverNode(repoDir: string): DiscoveredTestCommand | null {
  const pkg = readPackageJson(repoDir);
  const script = pkg?.scripts?.test;
  if (!pkg || typeof script !== 'string' || script.trim() === '' || NPM_DEFAULT_TEST.test(script))
    return null;
  const packageManager = detectPackageManager(repoDir, pkg);
  const { runner, appendable } = scriptRunner(script, pkg);
  // `bun test` is bun's own runner, not the script.
  const command = packageManager === 'bun' ? 'bun run test' : `${packageManager} test`;
  return { command, runner, source: 'package.json', appendable, packageManager };
}

/** `npm test -- --json` passes words to the script; yarn, pnpm and bun pass what follows the script name. */
export function appendToScript(
  command: string,
  packageManager: PackageManager | undefined,
  args: string,
): string {
  if (packageManager === 'npm') return `${command} -- ${args}`;
  return `${command} ${args}`;
}
