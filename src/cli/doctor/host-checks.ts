/** Doctor checks for the host: Node.js version, git, free disk where the state lives. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DoctorCheck } from './check.ts';

export const MIN_NODE = [22, 13] as const;
export const MIN_FREE_BYTES = 5 * 1024 ** 3;

export function nodeVersionOk(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

export function nodeCheck(version: string = process.versions.node): DoctorCheck {
  const wanted = `${MIN_NODE[0]}.${MIN_NODE[1]}`;
  return {
    id: 'node',
    title: 'Node.js',
    required: true,
    async run() {
      if (nodeVersionOk(version))
        return { status: 'pass', message: `Node.js ${version} (needs ≥ ${wanted})` };
      return {
        status: 'fail',
        message: `Node.js ${version} is too old (needs ≥ ${wanted})`,
        fix: `install Node.js ${wanted} or newer (24 LTS recommended)`,
      };
    },
  };
}

export function gitCheck(): DoctorCheck {
  return {
    id: 'git',
    title: 'git',
    required: true,
    run: (signal) =>
      new Promise((resolve) => {
        execFile('git', ['--version'], { signal }, (err, stdout) => {
          if (err)
            resolve({
              status: 'fail',
              message: `git is not runnable (${(err as NodeJS.ErrnoException).code ?? err.message})`,
              fix: 'install git (e.g. apt-get install git) and put it on PATH',
            });
          else resolve({ status: 'pass', message: stdout.trim() });
        });
      }),
  };
}

/** Mirrors, checkouts and traces live in the state dir; it may not exist yet, so ask its nearest parent. */
export function diskCheck(stateDir: string, minFree = MIN_FREE_BYTES): DoctorCheck {
  return {
    id: 'disk',
    title: `free disk at ${stateDir}`,
    required: false,
    async run() {
      let dir = stateDir;
      while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
      const stats = await statfs(dir);
      const free = stats.bavail * stats.bsize;
      const gib = (free / 1024 ** 3).toFixed(1);
      if (free >= minFree) return { status: 'pass', message: `${gib} GiB free at ${stateDir}` };
      return {
        status: 'warn',
        message: `only ${gib} GiB free at ${stateDir} (want ≥ ${(minFree / 1024 ** 3).toFixed(0)} GiB for mirrors and checkouts)`,
        fix: 'free some space, or set stateDir (CONJECTURE_STATE_DIR) to a larger disk',
      };
    },
  };
}
