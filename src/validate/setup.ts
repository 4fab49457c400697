/**
 * Dependency installation: a SEPARATE phase from the tests. It runs in a sandbox made with
 * `purpose: 'setup'` (which may have the network) and it never runs the repository's own code:
 * lifecycle scripts are off (`--ignore-scripts`), because that code would run with network access.
 * The tests then run in an agent sandbox without network against what this phase left in the
 * workspace.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../core/sandbox.ts';
import { detectPackageManager, lockfileOf, readPackageJson } from './discover-node.ts';
import { readRepoFile } from './discover-other.ts';
import { capText } from './excerpt.ts';
import type { SetupCommand } from './types.ts';
import { cacheEnv, inWorkspaceEnv, VENV_DIR } from './workspace-env.ts';

export interface DiscoverSetupOptions {
  /** `validate.setupCommand` from the effective configuration. */
  override?: string;
}

function nodeSetup(repoDir: string): { command: string; source: string } | null {
  const pkg = readPackageJson(repoDir);
  if (!pkg) return null;
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  if (deps.length === 0) return null;
  const lockfile = lockfileOf(repoDir);
  const pm = detectPackageManager(repoDir, pkg);
  const source = lockfile ?? 'package.json';
  if (pm === 'npm')
    return lockfile
      ? { command: 'npm ci --ignore-scripts --no-audit --no-fund', source }
      : { command: 'npm install --ignore-scripts --no-audit --no-fund', source };
  if (pm === 'yarn')
    return existsSync(join(repoDir, '.yarnrc.yml'))
      ? { command: 'yarn install --immutable --mode=skip-build', source }
      : { command: 'yarn install --frozen-lockfile --ignore-scripts', source };
  return { command: `${pm} install --frozen-lockfile --ignore-scripts`, source };
}

const REQUIREMENTS = [
  'requirements.txt',
  'requirements-dev.txt',
  'requirements-test.txt',
  'test-requirements.txt',
];

function pythonSetup(repoDir: string): { command: string; source: string } | null {
  const args: string[] = [];
  const sources: string[] = [];
  for (const file of REQUIREMENTS)
    if (existsSync(join(repoDir, file))) {
      args.push(`-r ${file}`);
      sources.push(file);
    }
  const project = ['pyproject.toml', 'setup.py'].find((f) => existsSync(join(repoDir, f)));
  if (project) {
    args.push('-e .');
    sources.push(project);
  }
  if (args.length === 0) return null;
  // pytest itself is often only in CI config; install it so the offline test phase can run.
  if (
    /pytest/.test(readRepoFile(repoDir, 'pyproject.toml') ?? '') ||
    existsSync(join(repoDir, 'conftest.py'))
  )
    args.push('pytest');
  const venv = `python3 -m venv --system-site-packages ${VENV_DIR}`;
  return {
    command: `${venv} && ${VENV_DIR}/bin/python -m pip install ${args.join(' ')}`,
    source: sources.join(', '),
  };
}

function otherSetups(repoDir: string): { command: string; source: string }[] {
  const found: { command: string; source: string }[] = [];
  if (existsSync(join(repoDir, 'go.mod'))) found.push({ command: 'go mod download', source: 'go.mod' });
  if (existsSync(join(repoDir, 'Cargo.toml'))) found.push({ command: 'cargo fetch', source: 'Cargo.toml' });
  return found;
}

/** Every ecosystem present gets its install step, joined with `&&`; null when nothing needs installing. */
export function discoverSetupCommand(
  repoDir: string,
  options: DiscoverSetupOptions = {},
): SetupCommand | null {
  const override = options.override?.trim();
  if (override) return { command: override, source: 'config' };
  const steps = [nodeSetup(repoDir), pythonSetup(repoDir), ...otherSetups(repoDir)].filter((s) => s !== null);
  if (steps.length === 0) return null;
  return { command: steps.map((s) => s.command).join(' && '), source: steps.map((s) => s.source).join(', ') };
}

export interface SetupRun {
  command: string;
  exitCode: number;
  timedOut: boolean;
  durationMs: number;
  output: string;
  ok: boolean;
}

/** Runs the setup command in the setup sandbox (the caller made it with `purpose: 'setup'`). */
export async function runSetup(
  sandbox: Sandbox,
  setup: SetupCommand,
  options: { timeoutMs?: number; signal?: AbortSignal; maxOutputChars?: number } = {},
): Promise<SetupRun> {
  const result = await sandbox.exec(inWorkspaceEnv(setup.command), {
    env: { CI: 'true', ...cacheEnv(sandbox.workdir) },
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  return {
    command: setup.command,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    output: capText(result.output, options.maxOutputChars ?? 16_000),
    ok: result.exitCode === 0 && !result.timedOut,
  };
}
