/**
 * A directory lock (mkdir is atomic) so two jobs, in one process or several, never fetch the same
 * mirror at once. A lock older than `staleMs` was left by a crashed process and is taken over.
 */
import { mkdir, rm, stat } from 'node:fs/promises';

export async function withDirLock<T>(
  path: string,
  fn: () => Promise<T>,
  { staleMs = 15 * 60_000, waitMs = 30 * 60_000 } = {},
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await mkdir(path);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const info = await stat(path).catch(() => null);
      if (info && Date.now() - info.mtimeMs > staleMs) await rm(path, { recursive: true, force: true });
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
