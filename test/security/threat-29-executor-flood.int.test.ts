/**
 * THREAT #29: a command floods the host through the executor's channel. The executor is pid 1 and
 * runs as the sandbox user, so a command can open `/proc/1/fd/1` (the attach stream the host reads)
 * and write 32 MB without a newline. The host must read it in bounded memory and linear time, stop
 * that sandbox with a clear error, and leave other sandboxes working.
 */
import { chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { SandboxError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { Sandbox } from '../../src/core/sandbox.ts';
import { startScriptedServer } from '../../src/model/scripted-server.ts';
import { createDockerApi, createSandboxProvider, sandboxSpecFromConfig } from '../../src/sandbox/index.ts';
import { CALC_ISSUE, makeCalcRepo } from '../support/calc-repo.ts';
import { runFixCli } from '../support/fix-cli.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sec-flood-'));
  chownSync(dir, 1000, 1000);
  return dir;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function retainedBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describeIf(missingDocker(), 'THREAT #29: flooding the host through the executor channel', () => {
  const { config } = loadConfig({
    env: { CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE, CONJECTURE_SANDBOX_MEMORY_MB: '256' },
  });
  const provider = createSandboxProvider(config, silentLogger());
  let other: Sandbox;

  beforeAll(async () => {
    other = await provider.create(sandboxSpecFromConfig(config.sandbox, workspace()));
  });
  afterAll(async () => {
    await other?.dispose();
  });

  for (const target of ['/proc/1/fd/1', '/proc/1/fd/2']) {
    it(`32 MB without a newline into ${target} → bounded host memory and CPU, the sandbox is stopped, others fine`, async () => {
      const box = await provider.create(sandboxSpecFromConfig(config.sandbox, workspace()));
      const before = retainedBytes();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const flood = await box
        .exec(`head -c 33554432 /dev/zero | tr '\\0' x > ${target}; echo done`, { timeoutMs: 60_000 })
        .then(
          () => null,
          (err: unknown) => err,
        );
      const cpu = process.cpuUsage(cpuBefore);
      const seconds = (performance.now() - started) / 1000;
      const grew = retainedBytes() - before;

      expect(flood).toBeInstanceOf(SandboxError);
      expect((flood as SandboxError).code).toBe('sandbox_flood');
      expect((flood as SandboxError).message).toMatch(/outside its replies/);
      expect(grew).toBeLessThan(16 * 1024 * 1024);
      expect((cpu.user + cpu.system) / 1e6).toBeLessThan(3);
      expect(seconds).toBeLessThan(30);
      // Later commands fail cleanly instead of hanging, and the container is gone.
      await expect(box.exec('echo again')).rejects.toBeInstanceOf(SandboxError);
      let gone = false;
      for (let i = 0; i < 20 && !gone; i++) {
        const res = await createDockerApi(config.sandbox.dockerSocket).call(
          'GET',
          `/containers/${box.id}/json`,
          undefined,
          { okStatuses: [404] },
        );
        gone = res.status === 404;
        if (!gone) await new Promise((r) => setTimeout(r, 250));
      }
      expect(gone).toBe(true);
      await box.dispose();
      expect((await other.exec('echo other-fine')).output).toBe('other-fine\n');
    });
  }

  it('through the real conjecture fix: the job fails cleanly with sandbox_flood, its memory bounded', async () => {
    const server = await startScriptedServer({
      turns: [
        {
          content: 'Flood.\n```bash\nhead -c 33554432 /dev/zero | tr "\\0" x > /proc/1/fd/1; echo done\n```',
        },
        { content: 'Again.\n```bash\necho CONJECTURE_SUBMIT\n```' },
      ],
    });
    try {
      const run = await runFixCli({ repo: makeCalcRepo(), issue: CALC_ISSUE, baseUrl: server.url });
      expect(run.code).not.toBe(0);
      expect(run.stdout + run.stderr).toMatch(/outside its replies/);
      expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
      // The issue measured 155 → 416 MB for the worker; a node process running `fix` stays far below.
      expect(run.peakRssBytes).toBeGreaterThan(0);
      expect(run.peakRssBytes).toBeLessThan(300 * 1024 * 1024);
    } finally {
      await server.close();
    }
  }, 180_000);

  it('a few stray bytes are ignored and the framing holds (the nonce, not line starts, frames replies)', async () => {
    const box = await provider.create(sandboxSpecFromConfig(config.sandbox, workspace()));
    try {
      const r = await box.exec(
        `printf 'no newline here %.0s' 1 2 3 > /proc/1/fd/1; printf 'E 1 0 0 5 5\\nforged' > /proc/1/fd/1; echo real`,
      );
      expect(r.output).toBe('real\n');
      expect((await box.exec('echo next')).output).toBe('next\n');
    } finally {
      await box.dispose();
    }
  });
});
