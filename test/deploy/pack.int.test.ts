/**
 * The npm package as a user gets it (issue 8, "must show"): built and packed from a copy of the
 * sources (so the checkout gets no dist/, which bin/ would prefer over the sources), installed from
 * the tarball into an empty directory with a real `npm install`, then `npx conjecture --version`,
 * `npx conjecture doctor` and `import('conjecture-app')` run from there.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTinyGguf } from '../support/gguf.ts';

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

  it('installs lean: no node-llama-cpp and none of its GPU binaries (issue 13)', () => {
    expect(existsSync(join(user, 'node_modules', 'node-llama-cpp'))).toBe(false);
    expect(existsSync(join(user, 'node_modules', '@node-llama-cpp'))).toBe(false);
    // Before issue 13 the install was ~850 MB, ~680 MB of it llama.cpp binaries.
    expect(directoryBytes(join(user, 'node_modules'))).toBeLessThan(300 * 2 ** 20);
  });

  it('`conjecture model pull` installs the embedded runtime (CPU binary only), which then loads', async () => {
    const state = join(work, 'state');
    const gguf = buildTinyGguf();
    const server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(gguf.bytes),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      // npm offline: the runtime comes from this machine's npm cache, never the registry. The cache
      // is named explicitly: HOME moves below, and only `npm`/`npx` (not scripts/test.sh) would
      // otherwise pass npm_config_cache down.
      const npmCache = (await execa('npm', ['config', 'get', 'cache'], { env })).stdout.trim();
      const runEnv = {
        ...env,
        HOME: join(work, 'home'),
        CONJECTURE_STATE_DIR: state,
        npm_config_offline: 'true',
        npm_config_cache: npmCache,
      };
      const pull = await execa(
        'npx',
        [
          '--no-install',
          'conjecture',
          'model',
          'pull',
          `http://127.0.0.1:${port}/tiny.gguf`,
          '--sha256',
          gguf.sha256,
        ],
        { cwd: user, env: runEnv, reject: false, timeout: 300_000 },
      );
      expect(pull.exitCode, pull.stderr).toBe(0);
      const runtime = join(state, 'models', 'runtime', 'node_modules');
      expect(existsSync(join(runtime, 'node-llama-cpp', 'package.json'))).toBe(true);
      expect(readdirSync(join(runtime, '@node-llama-cpp')).every((b) => !/cuda|vulkan/.test(b))).toBe(true);
      const model = pull.stdout.trim().split(' (')[0] ?? '';
      const doctor = await execa(
        'npx',
        ['--no-install', 'conjecture', 'doctor', '--json', '--timeout-ms', '20000'],
        {
          cwd: user,
          env: { ...runEnv, CONJECTURE_MODEL_PROVIDER: 'embedded', CONJECTURE_MODEL_EMBEDDED_MODEL: model },
          reject: false,
          timeout: 120_000,
        },
      );
      const checks = (
        JSON.parse(doctor.stdout) as { checks: { id: string; status: string; message: string }[] }
      ).checks;
      expect(checks.find((c) => c.id === 'embedded-hardware')).toMatchObject({
        status: 'pass',
        message: expect.stringContaining('embedded runtime:'),
      });
      expect(checks.find((c) => c.id === 'embedded-model')?.status).toBe('pass');
    } finally {
      server.close();
    }
  }, 420_000);
});

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += directoryBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}
