/**
 * Container escape and resource exhaustion (THREATS.md #17, #18) against the real hardened Docker
 * sandbox with small limits, while a second sandbox stands for "other jobs".
 */
import { chownSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { Sandbox } from '../../src/core/sandbox.ts';
import { createSandboxProvider, sandboxSpecFromConfig } from '../../src/sandbox/index.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sec-sbx-'));
  chownSync(dir, 1000, 1000);
  return dir;
}

describeIf(missingDocker(), 'THREAT #17/#18: the sandbox contains escape attempts and exhaustion', () => {
  const { config } = loadConfig({
    env: {
      CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE,
      CONJECTURE_SANDBOX_PIDS: '128',
      CONJECTURE_SANDBOX_MEMORY_MB: '128',
      CONJECTURE_SANDBOX_TMPFS_MB: '16',
    },
  });
  const provider = createSandboxProvider(config, silentLogger());
  let box: Sandbox;
  const boxDir = workspace();
  let other: Sandbox;

  beforeAll(async () => {
    [box, other] = await Promise.all([
      provider.create(sandboxSpecFromConfig(config.sandbox, boxDir)),
      provider.create(sandboxSpecFromConfig(config.sandbox, workspace())),
    ]);
  });
  afterAll(async () => {
    await Promise.all([box?.dispose(), other?.dispose()]);
  });

  it('THREAT #17: id, NoNewPrivs, unshare -r, docker.sock, mount, setuid → non-root, 1, denied, absent', async () => {
    const probe = await provider.create(sandboxSpecFromConfig(config.sandbox, workspace()));
    const r = await probe.exec(
      [
        'id -u; id -g',
        'grep -E "^(NoNewPrivs|CapEff|Seccomp):" /proc/self/status',
        'unshare -r true 2>/dev/null && echo UNSHARED',
        'ls /var/run/docker.sock /run/docker.sock 2>/dev/null && echo SOCKET',
        'mount -t tmpfs none /mnt 2>/dev/null && echo MOUNTED',
        'su -c true root </dev/null 2>/dev/null && echo ROOT',
        'echo end',
      ].join('; '),
      { timeoutMs: 20_000 },
    );
    await probe.dispose();
    const [uid, gid] = r.output.trim().split('\n');
    expect(uid).not.toBe('0');
    expect(gid).not.toBe('0');
    expect(r.output).toMatch(/NoNewPrivs:\s+1/);
    expect(r.output).toMatch(/CapEff:\s+0{16}/);
    expect(r.output).toMatch(/Seccomp:\s+2/);
    expect(r.output).not.toMatch(/UNSHARED|SOCKET|MOUNTED|ROOT\n/);
    expect(r.output).toContain('end');
  });

  it('THREAT #18: fork bomb, tmpfs fill, big allocation and sleep 1e9 are contained; the other job is fine', async () => {
    // A full /tmp also swallows command output (the executor captures it there), so the fill reports
    // through the workspace bind mount and frees the space before answering.
    await box.exec(
      'dd if=/dev/zero of=/tmp/fill bs=1M count=200 2>/workspace/dd.err; stat -c %s /tmp/fill >/workspace/size; rm -f /tmp/fill',
      { timeoutMs: 30_000 },
    );
    const size = Number(readFileSync(join(boxDir, 'size'), 'utf8').trim());
    expect(size).toBeGreaterThan(1024 * 1024);
    expect(size).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(readFileSync(join(boxDir, 'dd.err'), 'utf8')).toMatch(/No space left on device/);

    const alloc = await box.exec('python3 -c "b = bytearray(10 * 1024 ** 3); print(len(b))"', {
      timeoutMs: 60_000,
    });
    expect(alloc.exitCode).not.toBe(0);
    expect(alloc.output).not.toMatch(/^10737418240$/m);

    const started = Date.now();
    const sleep = await box.exec('sleep 1e9', { timeoutMs: 2_000 });
    expect(sleep.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);

    expect((await box.exec('echo alive')).output).toBe('alive\n');

    // Last, because the bomb's children take a moment to be reaped.
    const bomb = await box.exec('for i in $(seq 1 300); do sleep 30 & done; echo survived', {
      timeoutMs: 30_000,
    });
    expect(bomb.output).not.toContain('survived');
    let after = '';
    for (let i = 0; i < 20 && after !== 'alive\n'; i++) {
      after = (await box.exec('echo alive')).output;
      if (after !== 'alive\n') await new Promise((r) => setTimeout(r, 500));
    }
    expect(after).toBe('alive\n');
    expect((await other.exec('echo other-fine')).output).toBe('other-fine\n');
  });
});
