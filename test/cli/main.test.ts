import { describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS } from '../../src/cli/global-options.ts';
import { COMMANDS, main, readVersion } from '../../src/cli/main.ts';
import { captureStream } from './capture.ts';

async function run(argv: string[]) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await main(argv, { stdout, stderr, env: {}, cwd: '/nonexistent-cwd' });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('command registry', () => {
  it('has unique names and no option that shadows a global flag', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([...names].sort());
    const globalShorts = Object.values(GLOBAL_OPTIONS).map((o) => o.short);
    for (const command of COMMANDS) {
      for (const [name, option] of Object.entries(command.options)) {
        expect(GLOBAL_OPTIONS, `${command.name} --${name}`).not.toHaveProperty(name);
        if (option.short)
          expect(globalShorts, `${command.name} -${option.short}`).not.toContain(option.short);
      }
    }
  });
});

describe('main (in process)', () => {
  it('returns exit codes instead of exiting', async () => {
    expect(await run(['-V'])).toEqual({ code: 0, stdout: `${readVersion()}\n`, stderr: '' });
    expect(await run(['--json', '--version'])).toMatchObject({
      code: 0,
      stdout: `{"version":"${readVersion()}"}\n`,
    });
    const bare = await run([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: conjecture <command>');
  });

  it('prints a command help with its own and the global options', async () => {
    const out = await run(['config', '--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Usage: conjecture config <check|print> [--repo DIR]');
    expect(out.stdout).toMatch(/--repo DIR\s+a repository checkout/);
  });

  it('refuses an unknown config action and an unexpected argument', async () => {
    expect(await run(['config', 'show'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown action "show"'),
    });
    expect(await run(['config', 'check', 'extra'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('"extra"'),
    });
  });

  it('reports errors as JSON on stdout with --json', async () => {
    const out = await run(['--json', 'nope']);
    expect(out.code).toBe(2);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, error: { code: 'usage' } });
  });
});
