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
import { capText } from './excerpt.ts';
import { pythonSetup } from './setup-python.ts';
import type { SetupCommand } from './types.ts';
import { cacheEnv, inWorkspaceEnv } from './workspace-env.ts';

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

/** pip's index settings; pip refuses a plain-http index unless its host is trusted. */
export function pipIndexEnv(url: string | undefined): Record<string, string> {
  if (!url) return {};
  const parsed = new URL(url);
  return parsed.protocol === 'http:'
    ? { PIP_INDEX_URL: url, PIP_TRUSTED_HOST: parsed.hostname }
    : { PIP_INDEX_URL: url };
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
  options: {
    timeoutMs?: number;
    signal?: AbortSignal;
    maxOutputChars?: number;
    /** Where pip installs from (sandbox.pipIndexUrl); default pip's own. */
    pipIndexUrl?: string;
  } = {},
): Promise<SetupRun> {
  const result = await sandbox.exec(inWorkspaceEnv(setup.command), {
    env: { CI: 'true', ...cacheEnv(sandbox.workdir), ...pipIndexEnv(options.pipIndexUrl) },
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
