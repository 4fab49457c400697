/**
 * THREAT #31 (processes): nothing a command starts outlives it. A `setsid` loop leaves the command's
 * process group and session, so killing the group is not enough; the executor kills every other
 * process of the container after each command.
 */
import { chownSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { createSandboxProvider, sandboxSpecFromConfig } from '../../src/sandbox/index.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';

describeIf(missingDocker(), 'THREAT #31: no process outlives its command', () => {
  const { config } = loadConfig({ env: { CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE } });
  const provider = createSandboxProvider(config, silentLogger());

  it('a setsid loop, a nohup daemon and a double fork are gone when the command returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sec-procs-'));
    chownSync(dir, 1000, 1000);
    const box = await provider.create(sandboxSpecFromConfig(config.sandbox, dir));
    try {
      const start = await box.exec(
        [
          `setsid sh -c 'while :; do echo tick >> /workspace/ticks; sleep 0.05; done' >/dev/null 2>&1 < /dev/null &`,
          `nohup sh -c 'sleep 1000' >/dev/null 2>&1 &`,
          `( ( sleep 1000 & ) & )`,
          'sleep 0.3; echo started',
        ].join('\n'),
        { timeoutMs: 10_000 },
      );
      expect(start.output).toContain('started');
      expect(existsSync(join(dir, 'ticks'))).toBe(true);
      const ps = await box.exec('ps -eo comm=');
      // Only the executor (pid 1), this command's own shells and ps remain.
      expect(ps.output.trim().split('\n').sort()).toEqual(['bash', 'ps', 'timeout']);
      const ticks = readFileSync(join(dir, 'ticks'), 'utf8').length;
      await new Promise((r) => setTimeout(r, 400));
      expect(readFileSync(join(dir, 'ticks'), 'utf8').length).toBe(ticks);
      expect((await box.exec('echo alive')).output).toBe('alive\n');
    } finally {
      await box.dispose();
    }
  });
});
