/**
 * Host-side commands of the evaluator (git apply, patch, cp) run as the sandbox's user when the
 * evaluator runs as root, so every file a patch creates is writable inside the sandbox without a
 * recursive chown of the checkout afterwards.
 */
import { execa } from 'execa';
import { gitEnv } from '../workspace/index.ts';

export interface HostRunResult {
  exitCode: number;
  output: string;
}

export interface RunAs {
  uid: number;
  gid: number;
}

/** `sandbox.user` ("1000:1000" or "1000") as ids, or undefined when we are not root (nothing to switch). */
export function runAsFromUser(user: string, isRoot: boolean): RunAs | undefined {
  if (!isRoot) return undefined;
  const [u, g] = user.split(':');
  const uid = Number(u);
  if (!Number.isInteger(uid) || uid === 0) return undefined;
  const gid = Number(g ?? u);
  return { uid, gid: Number.isInteger(gid) ? gid : uid };
}

export async function hostRun(
  cmd: string,
  args: string[],
  options: { cwd: string; input?: string; runAs?: RunAs; timeoutMs?: number },
): Promise<HostRunResult> {
  const result = await execa(cmd, args, {
    cwd: options.cwd,
    input: options.input ?? '',
    env: { ...gitEnv(), HOME: '/tmp', LC_ALL: 'C' },
    extendEnv: true,
    all: true,
    reject: false,
    timeout: options.timeoutMs ?? 120_000,
    uid: options.runAs?.uid,
    gid: options.runAs?.gid,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { exitCode: result.exitCode ?? 1, output: String(result.all ?? '') };
}

/** git with the same locked-down configuration as src/workspace/git.ts uses. */
export function hostGit(args: string[], options: Parameters<typeof hostRun>[2]): Promise<HostRunResult> {
  const safe = ['core.fsmonitor=false', 'core.hooksPath=/dev/null', 'safe.directory=*', 'diff.external='];
  return hostRun('git', [...safe.flatMap((c) => ['-c', c]), ...args], options);
}
