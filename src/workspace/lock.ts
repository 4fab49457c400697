/**
 * A directory lock (mkdir is atomic) so two jobs, in one process or several, never fetch the same
 * mirror at once. A lock older than `staleMs` was left by a crashed process and is taken over; so is
 * one whose owner (recorded inside it) was a process on this host that no longer exists, so a
 * SIGKILLed run does not stall the next one for `staleMs` (issue 6: resumable eval runs).
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

const OWNER_FILE = 'owner';

async function ownerIsGone(path: string): Promise<boolean> {
  const owner = await readFile(join(path, OWNER_FILE), 'utf8').catch(() => null);
  const m = owner ? /^(.*):(\d+)$/.exec(owner.trim()) : null;
  if (!m || m[1] !== hostname()) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export async function withDirLock<T>(
  path: string,
  fn: () => Promise<T>,
  { staleMs = 15 * 60_000, waitMs = 30 * 60_000 } = {},
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await mkdir(path);
      await writeFile(join(path, OWNER_FILE), `${hostname()}:${process.pid}`);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const info = await stat(path).catch(() => null);
      if ((info && Date.now() - info.mtimeMs > staleMs) || (await ownerIsGone(path)))
        await rm(path, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${path}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { recursive: true, force: true });
  }
}
