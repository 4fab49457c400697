/**
 * THREAT #30: disk and patch size. The agent writes past the workspace limit inside the real
 * sandbox: it must stop there ("No space left on device") with the host's disk untouched beyond
 * the limit. And a 100 MB random file in the checkout: taking the change out must refuse it above
 * the patch limit without reading it into host memory.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { WorkspaceError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import {
  createSandboxProvider,
  limitWorkspace,
  sandboxSpecFromConfig,
  sweepWorkspaceMounts,
} from '../../src/sandbox/index.ts';
import { type Checkout, createWorkspaceCache, extractPatch } from '../../src/workspace/index.ts';
import { makeRepo } from '../support/git-repo.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

function writeRandom(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  for (let left = bytes; left > 0; left -= MB) writeSync(fd, randomBytes(Math.min(MB, left)));
  closeSync(fd);
  chownSync(path, 1000, 1000);
}

describeIf(missingDocker(), 'THREAT #30: disk and patch size', () => {
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

  it('writing 1.5× the workspace limit into /workspace stops at the limit; the checkout and git still work', async () => {
    const c = await checkout();
    const limit = await limitWorkspace(c.dir, 64 * MB, { uid: 1000, gid: 1000 });
    expect(limit.unavailable).toBeNull();
    const { config } = loadConfig({ env: { CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE } });
    const box = await createSandboxProvider(config, silentLogger()).create(
      sandboxSpecFromConfig(config.sandbox, c.dir),
    );
    try {
      expect(readFileSync(join(c.dir, 'README.md'), 'utf8')).toBe('# x\n');
      const fill = await box.exec(
        'dd if=/dev/zero of=/workspace/fill bs=1M count=96 2>&1; stat -c %s /workspace/fill; dd if=/dev/zero of=/workspace/fill2 bs=1M count=8 2>&1 || echo SECOND_REFUSED',
        { timeoutMs: 60_000 },
      );
      expect(fill.output).toMatch(/No space left on device/);
      expect(fill.output).toContain('SECOND_REFUSED');
      expect(statSync(join(c.dir, 'fill')).size).toBeLessThanOrEqual(64 * MB);
      expect(statSync(`${c.dir}.ext4`).blocks * 512).toBeLessThanOrEqual(66 * MB);
      // Freeing space works, and the host still reads the change through git.
      const after = await box.exec(
        'rm -f /workspace/fill /workspace/fill2 && echo changed > /workspace/README.md && echo ok',
      );
      expect(after.output).toBe('ok\n');
      expect(await extractPatch(c)).toContain('+changed');
    } finally {
      await box.dispose();
      await limit.release();
    }
    expect(existsSync(`${c.dir}.ext4`)).toBe(false);
    expect(readdirSync(c.dir)).toEqual([]);
  }, 120_000);

  it('a workspace left mounted by a worker that died is released by the next start-up sweep', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'sec-sweep-'));
    const dir = join(parent, 'job-1');
    mkdirSync(dir);
    const limit = await limitWorkspace(dir, 16 * MB, { uid: 1000, gid: 1000 });
    expect(limit.unavailable).toBeNull();
    const mounted = () => readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${dir} `);
    expect(mounted()).toBe(true);
    // Alive owner (this process): kept. Then the owner is a process that has exited: released.
    expect(await sweepWorkspaceMounts(parent, silentLogger())).toBe(0);
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    writeFileSync(`${dir}.ext4.owner`, `${hostname()} ${dead}\n`);
    expect(await sweepWorkspaceMounts(parent, silentLogger())).toBe(1);
    expect(mounted()).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
  });

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
