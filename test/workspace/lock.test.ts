import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withDirLock } from '../../src/workspace/lock.ts';

function heldBy(pid: number) {
  return async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'lock-')), 'mirror.lock');
    mkdirSync(path);
    writeFileSync(join(path, 'owner'), `${hostname()}:${pid}`);
    return path;
  };
}

describe('withDirLock', () => {
  it('takes over a fresh lock whose owner process is gone (a SIGKILLed run)', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const path = await heldBy(dead)();
    const started = Date.now();
    expect(await withDirLock(path, async () => 'ran', { waitMs: 5_000 })).toBe('ran');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('waits for a lock whose owner is alive', async () => {
    const path = await heldBy(process.pid)();
    await expect(withDirLock(path, async () => 'ran', { waitMs: 300 })).rejects.toThrow(/timed out/);
  });
});
