/**
 * What the setup phase installed into the checkout: these directories are mounted read-only into
 * the agent's and the validation's containers, so the agent cannot plant a fake `jest`, `node` or
 * `pytest` in them (THREATS.md #31). Found after setup, from the host, before the agent runs.
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from './workspace-env.ts';

export interface InstalledDependencies {
  /** Directories relative to the repository root. */
  paths: string[];
  /**
   * `dev:ino` of each of `paths` when setup finished. A read-only mount moves with its parent: the
   * agent can rename `packages/` and plant a look-alike `packages/a/node_modules` on the host, so
   * a later mount checks it still names the same directory (`verifyInstalledDependencies`).
   */
  identity?: Record<string, string>;
  /** The setup made a Python virtualenv: its `bin` goes first on PATH. */
  venv: boolean;
  /** Where that virtualenv is on the host, outside the checkout (python-env.ts). */
  pythonEnv?: string;
}

/** Directories set up by installers that tests only read. Go's build cache stays writable. */
const FIXED = [`${STATE_DIR}/go/pkg/mod`];
/** Workspaces keep node_modules in package folders too (`packages/a/node_modules`). */
const NODE_MODULES_DEPTH = 3;

function isRealDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function nodeModules(root: string, rel: string, depth: number, found: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(join(root, rel));
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === '.git' || name === STATE_DIR) continue;
    const child = rel ? `${rel}/${name}` : name;
    if (!isRealDir(join(root, child))) continue;
    if (name === 'node_modules') found.push(child);
    else if (depth > 0) nodeModules(root, child, depth - 1, found);
  }
}

/** `pythonEnv`: the virtualenv setup built, already moved out of the checkout (`moveVenvOut`). */
export function findInstalledDependencies(
  repoDir: string,
  options: { pythonEnv?: string } = {},
): InstalledDependencies {
  const paths: string[] = [];
  nodeModules(repoDir, '', NODE_MODULES_DEPTH, paths);
  for (const rel of FIXED) if (isRealDir(join(repoDir, rel))) paths.push(rel);
  const identity = Object.fromEntries(paths.map((rel) => [rel, identityOf(join(repoDir, rel))]));
  return options.pythonEnv
    ? { paths, identity, venv: true, pythonEnv: options.pythonEnv }
    : { paths, identity, venv: false };
}

function identityOf(path: string): string {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return 'missing';
  }
}

/** The dependency directories the agent moved or replaced since setup (empty when none). */
export function movedDependencies(repoDir: string, installed: InstalledDependencies): string[] {
  return installed.paths.filter((rel) => {
    const was = installed.identity?.[rel];
    return was !== undefined && identityOf(join(repoDir, rel)) !== was;
  });
}

export const NO_DEPENDENCIES: InstalledDependencies = { paths: [], venv: false };
