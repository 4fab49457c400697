/**
 * The npm package as a user gets it (issue 8, "must show"): built and packed from a copy of the
 * sources (so the checkout gets no dist/, which bin/ would prefer over the sources), installed from
 * the tarball into an empty directory with a real `npm install`, then `npx conjecture --version`,
 * `npx conjecture doctor` and `import('conjecture-app')` run from there.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  files: string[];
};
/** What `npm run build` reads, besides what the package ships. */
const BUILD_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src'];

// The user's environment, minus this machine's Conjecture settings.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CONJECTURE_')));

describe('the npm package', () => {
  const work = mkdtempSync(join(tmpdir(), 'conjecture-pack-'));
  const stage = join(work, 'stage');
  const user = join(work, 'empty');
  let packed: string[] = [];

  beforeAll(async () => {
    for (const entry of [...BUILD_INPUTS, ...PKG.files.filter((f) => f !== 'dist/')])
      cpSync(join(ROOT, entry), join(stage, entry), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'));
    await execa('npm', ['run', 'build'], { cwd: stage, env, timeout: 180_000 });
    const pack = await execa('npm', ['pack', '--json', '--pack-destination', work], { cwd: stage, env });
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    packed = info?.files.map((f) => f.path) ?? [];

    mkdirSync(user);
    await execa('npm', ['init', '-y'], { cwd: user, env });
    await execa(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, info?.filename ?? 'missing.tgz')],
      { cwd: user, env, timeout: 600_000 },
    );
  }, 900_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships the compiled CLI, prompts and app manifest, and no sources or tests', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'bin/conjecture.js',
        'dist/cli/main.js',
        'dist/cli/main.d.ts',
        'prompts/system.md',
        'app.yml',
        'package.json',
      ]),
    );
    expect(packed.filter((p) => /^(src|test|bench|deploy)\//.test(p))).toEqual([]);
  });

  it('`npx conjecture --version` prints the version', async () => {
    const run = await execa('npx', ['--no-install', 'conjecture', '--version'], { cwd: user, env });
    expect(run.stdout.trim()).toBe(PKG.version);
  });

  it('`npx conjecture doctor` prints its checks and exits 0 or 1 as documented', async () => {
    const home = join(work, 'home');
    const run = await execa('npx', ['--no-install', 'conjecture', 'doctor', '--timeout-ms', '2000'], {
      cwd: user,
      env: { ...env, HOME: home },
      reject: false,
      timeout: 60_000,
    });
    expect(run.stdout).toMatch(/^✔ Node\.js \d+\.\d+\.\d+/m);
    expect(run.stdout).toMatch(/^[✔✖] git/m);
    if (run.exitCode === 0) expect(run.stdout).toContain('all required checks passed');
    else {
      expect(run.exitCode, run.stderr).toBe(1);
      expect(run.stdout).toMatch(/\d+ required checks? failed/);
    }
  });

  it('exports the CLI entry point for programmatic use', async () => {
    const script = "const m = await import('conjecture-app'); console.log(typeof m.main, m.readVersion());";
    const run = await execa('node', ['--input-type=module', '-e', script], { cwd: user, env });
    expect(run.stdout.trim()).toBe(`function ${PKG.version}`);
  });
});
