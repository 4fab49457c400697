/**
 * THREAT #30: disk and patch size. The agent writes a 100 MB random file into the checkout; taking
 * the change out must refuse it above the patch limit without reading it into host memory.
 */
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, expect, it } from 'vitest';
import { WorkspaceError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import { type Checkout, createWorkspaceCache, extractPatch } from '../../src/workspace/index.ts';
import { makeRepo } from '../support/git-repo.ts';
import { describeIf, missingCommand } from '../support/prereq.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

function writeRandom(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  for (let left = bytes; left > 0; left -= MB) writeSync(fd, randomBytes(Math.min(MB, left)));
  closeSync(fd);
  chownSync(path, 1000, 1000);
}

describeIf(missingCommand('git'), 'THREAT #30: disk and patch size', () => {
  const open: Checkout[] = [];
  afterAll(async () => {
    for (const c of open) await c.dispose();
  });

  async function checkout(): Promise<Checkout> {
    const cache = createWorkspaceCache({
      cacheDir: mkdtempSync(join(tmpdir(), 'sec-patch-')),
      logger: silentLogger(),
    });
    const c = await cache.checkout({
      remote: makeRepo({ 'README.md': '# x\n' }),
      jobId: 'patch-size',
      owner: { uid: 1000, gid: 1000 },
    });
    open.push(c);
    return c;
  }

  it('a 100 MB random file in the change → refused above the limit, host memory bounded', async () => {
    const c = await checkout();
    writeRandom(join(c.dir, 'blob.bin'), 100 * MB);
    gc();
    const before = process.memoryUsage();
    let peak = before.rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const err = await extractPatch(c, { maxBytes: 10 * MB }).catch((e: unknown) => e);
    clearInterval(sampler);
    expect(err).toBeInstanceOf(WorkspaceError);
    expect((err as WorkspaceError).code).toBe('patch_too_large');
    expect((err as WorkspaceError).message).toMatch(
      /104857600 bytes of new file content, over the 10\.0 MB patch limit/,
    );
    expect((err as WorkspaceError).hint).toMatch(/sandbox\.maxPatchMb/);
    expect(peak - before.rss).toBeLessThan(48 * MB);
  }, 120_000);

  it('a change under the limit is taken out whole', async () => {
    const c = await checkout();
    writeRandom(join(c.dir, 'small.bin'), MB);
    const patch = await extractPatch(c, { maxBytes: 10 * MB });
    expect(patch).toContain('diff --git a/small.bin b/small.bin');
    expect(patch).toContain('GIT binary patch');
  });
});
