/**
 * What the setup phase installed into the checkout: these directories are mounted read-only into
 * the agent's and the validation's containers, so the agent cannot plant a fake `jest`, `node` or
 * `pytest` in them (THREATS.md #31). Found after setup, from the host, before the agent runs.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from './workspace-env.ts';

export interface InstalledDependencies {
  /** Directories relative to the repository root. */
  paths: string[];
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
  return options.pythonEnv ? { paths, venv: true, pythonEnv: options.pythonEnv } : { paths, venv: false };
}

export const NO_DEPENDENCIES: InstalledDependencies = { paths: [], venv: false };
