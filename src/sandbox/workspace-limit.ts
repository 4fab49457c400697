/**
 * A hard size limit for `/workspace` (THREATS.md #30). The workspace is a bind mount of a host
 * directory, so neither the container's memory nor a tmpfs bounds it, and overlay2 on ext4 has no
 * `--storage-opt size`. The host puts the directory on its own filesystem instead: a sparse file
 * of `bytes`, formatted ext4 and loop-mounted there (`nosuid,nodev`), with what the directory held
 * copied in. Writing past it fails with "No space left on device" inside the sandbox; the host's
 * disk never sees more than the limit. Mounting needs root (CAP_SYS_ADMIN) and loop devices: where
 * the host has neither, the directory stays as it is and the caller is told why.
 */
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { SandboxError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { processAlive } from './orphans.ts';

export interface WorkspaceLimit {
  /** Null when the limit is in place; otherwise why it could not be. */
  unavailable: string | null;
  /** Unmounts and deletes the backing file; the directory is left empty. Idempotent. */
  release(): Promise<void>;
}

// noinit_itable with lazy_itable_init: inode tables are never zeroed, so the file stays sparse.
const MOUNT_OPTIONS = 'loop,nosuid,nodev,noatime,noinit_itable';

async function run(cmd: string, args: string[], timeoutMs = 120_000): Promise<{ ok: boolean; why: string }> {
  const r = await execa(cmd, args, { reject: false, timeout: timeoutMs, stdin: 'ignore' });
  return {
    ok: r.exitCode === 0,
    why: `${cmd}: ${String(r.stderr || r.message)
      .trim()
      .split('\n')
      .slice(-2)
      .join(' ')}`,
  };
}

async function makeImage(image: string, bytes: number, owner: { uid: number; gid: number }) {
  const file = await open(image, 'w', 0o600);
  await file.truncate(bytes);
  await file.close();
  // No journal (a scratch area), one inode per 8 KiB (node_modules is many small files).
  return run('mkfs.ext4', [
    '-q',
    '-F',
    '-m',
    '0',
    '-i',
    '8192',
    '-O',
    '^has_journal',
    '-E',
    `root_owner=${owner.uid}:${owner.gid},lazy_itable_init=1,nodiscard`,
    image,
  ]);
}

export async function limitWorkspace(
  dir: string,
  bytes: number,
  owner: { uid: number; gid: number },
): Promise<WorkspaceLimit> {
  const image = `${dir}.ext4`;
  const none = (why: string): WorkspaceLimit => ({ unavailable: why, release: async () => {} });
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    return none('mounting a size-limited filesystem needs root on Linux');
  const made = await makeImage(image, bytes, owner).catch((err: Error) => ({ ok: false, why: err.message }));
  if (!made.ok) {
    await rm(image, { force: true });
    return none(made.why);
  }
  const original = `${dir}.orig`;
  await rename(dir, original);
  await mkdir(dir);
  const mounted = await run('mount', ['-o', MOUNT_OPTIONS, image, dir]);
  if (!mounted.ok) {
    await rm(dir, { recursive: true, force: true });
    await rename(original, dir);
    await rm(image, { force: true });
    return none(mounted.why);
  }
  // Who holds the mount: a later sweep releases it if this process dies without doing so.
  await writeFile(`${image}${OWNER_SUFFIX}`, `${hostname()} ${process.pid}\n`);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await unmountAndRemove(dir, image);
  };
  await rm(`${dir}/lost+found`, { recursive: true, force: true });
  const copied = await run('cp', ['-a', `${original}/.`, `${dir}/`], 600_000);
  await rm(original, { recursive: true, force: true });
  if (!copied.ok) {
    await release();
    throw new SandboxError(
      `the checkout does not fit in the workspace limit (${Math.round(bytes / 1024 / 1024)} MB)`,
      {
        code: 'workspace_too_small',
        hint: 'raise sandbox.workspaceMb',
      },
    );
  }
  return { unavailable: null, release };
}

const OWNER_SUFFIX = '.owner';

async function unmountAndRemove(dir: string, image: string): Promise<void> {
  const off = await run('umount', [dir]);
  if (!off.ok) await run('umount', ['-l', dir]);
  await rm(image, { force: true });
  await rm(`${image}${OWNER_SUFFIX}`, { force: true });
}

/**
 * Releases size-limited workspaces under `parent` whose owner process on this host is gone (a
 * worker killed mid-job leaves its loop mount behind). Run at start-up by whoever runs jobs.
 */
export async function sweepWorkspaceMounts(parent: string, logger: Logger): Promise<number> {
  const names = await readdir(parent).catch(() => [] as string[]);
  let swept = 0;
  for (const name of names.filter((n) => n.endsWith(`.ext4${OWNER_SUFFIX}`))) {
    const image = join(parent, name.slice(0, -OWNER_SUFFIX.length));
    const [host, pid] = (await readFile(join(parent, name), 'utf8').catch(() => '')).trim().split(' ');
    if (host !== hostname() || !pid || processAlive(Number(pid))) continue;
    const dir = image.slice(0, -'.ext4'.length);
    await unmountAndRemove(dir, image);
    await rm(dir, { recursive: true, force: true });
    swept++;
  }
  if (swept > 0) logger.info({ count: swept }, 'released workspaces of processes that are gone');
  return swept;
}
