/**
 * Where a Python project's environment lives (issue 16; issue 18 hole 8). The setup phase builds a
 * virtualenv in the workspace (its only writable mount) and points its scripts at
 * PYTHON_ENV_MOUNT; the host then moves it OUT of the checkout, so it is never part of a patch and
 * the agent cannot change it: the agent's and the tests' sandboxes get it as a read-only mount at
 * PYTHON_ENV_MOUNT, first on PATH. Nothing under the workspace is ever on PATH.
 */
import { existsSync } from 'node:fs';
import { cp, rename, rm } from 'node:fs/promises';
import { VENV_DIR } from './workspace-env.ts';

export const PYTHON_ENV_MOUNT = '/opt/conjecture/venv';

/**
 * The shell that makes the freshly built venv run from PYTHON_ENV_MOUNT: pip writes the venv's
 * absolute path into every script's `#!` line (or an `exec` line when it is long); symlinks (the
 * interpreter itself) are left alone. Runs at the end of the setup command, in the workspace.
 */
export const RELOCATE_VENV = [
  `for f in ${VENV_DIR}/bin/*; do`,
  '[ -f "$f" ] && [ ! -L "$f" ] || continue;',
  `sed -i "s|$PWD/${VENV_DIR}/|${PYTHON_ENV_MOUNT}/|g" "$f";`,
  'done',
].join(' ');

export interface PythonEnv {
  /** Host directory holding the environment, outside the checkout; mounted at PYTHON_ENV_MOUNT. */
  hostDir: string;
  dispose(): Promise<void>;
}

/** The host directory a checkout's environment moves to: beside the checkout, never in it. */
export function pythonEnvDir(checkoutDir: string): string {
  return `${checkoutDir.replace(/\/+$/, '')}.pyenv`;
}

/** Moves the venv the setup phase left in the checkout out of it (a rename: same filesystem); null when there is none. */
export async function moveVenvOut(checkoutDir: string): Promise<PythonEnv | null> {
  const built = `${checkoutDir}/${VENV_DIR}`;
  if (!existsSync(`${built}/bin`)) return null;
  const hostDir = pythonEnvDir(checkoutDir);
  await rm(hostDir, { recursive: true, force: true });
  await rename(built, hostDir).catch(async (err: NodeJS.ErrnoException) => {
    // The checkout may sit on a filesystem of its own (sandbox.workspaceMb): copy, then remove.
    if (err.code !== 'EXDEV') throw err;
    await cp(built, hostDir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    await rm(built, { recursive: true, force: true });
  });
  return { hostDir, dispose: () => rm(hostDir, { recursive: true, force: true }) };
}

/**
 * The setup's virtualenv first on PATH — decided by the host from what setup built (and what is
 * mounted read-only), never from what a directory in the workspace happens to hold: the agent can
 * create `.conjecture/venv/bin/node` (THREATS.md #31).
 */
export function dependencyEnv(basePath: string, venv: boolean): Record<string, string> {
  if (!venv) return {};
  return { VIRTUAL_ENV: PYTHON_ENV_MOUNT, PATH: `${PYTHON_ENV_MOUNT}/bin:${basePath}`, ...NO_PYTHON_DEBRIS };
}

/** No bytecode and no pytest cache in the working tree: neither may end up in a patch. */
export const NO_PYTHON_DEBRIS: Record<string, string> = {
  PYTHONDONTWRITEBYTECODE: '1',
  PYTEST_ADDOPTS: '-p no:cacheprovider',
};
