import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, STACK_FRAME, tempDir } from './run-cli.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// Each case is its own process; run them side by side.
describe.concurrent('conjecture (real process)', () => {
  it('--version prints the package version', async () => {
    const run = await runCli(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('--help lists the commands and global flags', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\s+config\s+check or print/m);
    expect(run.stdout).toMatch(/^\s+doctor\s+check that this machine/m);
    for (const flag of ['--json', '--config FILE', '--set KEY=VALUE', '--log-level LEVEL', '--quiet'])
      expect(run.stdout).toContain(flag);
  });

  it('an unknown command lists the commands and exits 2', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "frobnicate"; commands: config, doctor');
  });

  it('an unknown flag or a bad value names the flag and points at the help', async () => {
    const unknown = await runCli(['config', 'check', '--colour']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error: unknown option --colour\nsee conjecture config --help\n');
    const bad = await runCli(['doctor', '--log-level', 'loud']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--log-level: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
    expect(bad.stderr).toContain('see conjecture doctor --help');
  });

  it('a config file with a wrong type: exit 2, names file, path and expected type, no stack', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ agent: { stepLimit: 'ten' } }));
    const run = await runCli(['config', 'check', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^  ${file}: agent\\.stepLimit: .*expected number`, 'm'));
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME);
  });

  it('an unknown key: exit 2 naming it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'conjecture.config.yml'), 'model:\n  nmae: granite\n');
    const run = await runCli(['config', 'check'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('conjecture.config.yml: model: unknown key "nmae"');
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it('config check --repo shows what the repository file asks for and will not get', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, '.github'));
    writeFileSync(join(dir, '.github', 'conjecture.yml'), 'sandbox:\n  pids: 4000000\n  image: evil\n');
    const run = await runCli(['config', 'check', '--repo', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "note: sandbox.pids: 4000000 in .github/conjecture.yml is above the operator's limit; using 512",
    );
    expect(run.stdout).toContain(
      'note: sandbox.image in .github/conjecture.yml is ignored: only the operator sets it',
    );
  });

  it('config check lists every source, and --set is typed by the schema', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'conjecture.config.yml'), 'agent:\n  stepLimit: 7\n');
    const ok = await runCli(['config', 'check', '--set', 'model.temperature=0.5', '--json'], {
      cwd: dir,
      env: { CONJECTURE_MODEL_NAME: 'm' },
    });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({
      ok: true,
      sources: ['defaults', join(dir, 'conjecture.config.yml'), 'environment', 'flags'],
      notes: [],
    });
    const bad = await runCli([
      'config',
      'check',
      '--set',
      'agent.stepLimit=many',
      '--set',
      'model.colour=red',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--set: agent.stepLimit: expected a number, got "many"');
    expect(bad.stderr).toContain('--set: model.colour: unknown setting');
  });

  it('config print masks secrets given via env', async () => {
    const env = { CONJECTURE_MODEL_API_KEY: 'sk-live-abcdef123456', WEBHOOK_SECRET: 'hush-hush-secret' };
    const yaml = await runCli(['config', 'print'], { env });
    const json = await runCli(['config', 'print', '--json'], { env });
    for (const run of [yaml, json]) {
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain('sk-live-abcdef123456');
      expect(run.stdout).not.toContain('hush-hush-secret');
    }
    expect(yaml.stdout).toMatch(/^ {2}apiKey: "\*\*\*"$/m);
    const printed = JSON.parse(json.stdout) as {
      model: { apiKey: string; name: string };
      github: { webhookSecret: string };
    };
    expect(printed.model.apiKey).toBe('***');
    expect(printed.github.webhookSecret).toBe('***');
    expect(printed.model.name).toBe('granite4:tiny-h');
  });
});
