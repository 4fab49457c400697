/**
 * The app image end to end (issue 8, "must show"): built from the project's Dockerfile on a local
 * stand-in for `node:24-bookworm-slim` (scripts/build-base-image.sh; no registry is reachable here),
 * then started with no network, healthy by its own HEALTHCHECK, answering /healthz from inside, and
 * stopped with SIGTERM: exit 0 within the grace period, having logged its graceful shutdown.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf, missingDocker } from '../support/prereq.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const IMAGE = 'conjecture:test';
const CONTAINER = `conjecture-image-test-${process.pid}`;
const HOST_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const STOP_GRACE_S = 30;
const LLAMA_DIR = '/app/node_modules/@node-llama-cpp';

/**
 * The host's CA certificates that Node does not already trust: a TLS-intercepting proxy's, if any.
 * npm in the build stage needs them; they travel as a build arg, so the runtime stage never has them.
 */
function extraCaCerts(): string {
  let bundle = '';
  try {
    bundle = readFileSync(HOST_BUNDLE, 'utf8');
  } catch {
    return '';
  }
  const norm = (pem: string) => pem.replace(/\s+/g, '');
  const known = new Set(rootCertificates.map(norm));
  const pems = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return pems.filter((p) => !known.has(norm(p))).join('\n');
}

/** One base64 line from each certificate added on this host (distinctive: it is key material). */
function localCaLines(): string[] {
  const dir = '/usr/local/share/ca-certificates';
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.crt'))
    .map((f) => readFileSync(join(dir, f), 'utf8').split('\n')[5]?.trim() ?? '')
    .filter((l) => l.length > 40);
}

const docker = (args: string[], timeout = 60_000) => execa('docker', args, { timeout, all: true });

describeIf(missingDocker(), 'the app image', () => {
  const extraCa = extraCaCerts();
  let buildSeconds = 0;

  beforeAll(async () => {
    await execa('bash', [join(ROOT, 'scripts/build-base-image.sh')], { timeout: 900_000 });
    const revision = (await execa('git', ['rev-parse', 'HEAD'], { cwd: ROOT })).stdout;
    const started = performance.now();
    // --network host: the build is the dependency phase (npm, apt); the default bridge is disabled.
    await execa(
      'docker',
      [
        'build',
        '--network',
        'host',
        '--build-arg',
        `NPM_EXTRA_CA=${extraCa}`,
        '--build-arg',
        `REVISION=${revision}`,
        '-t',
        IMAGE,
        ROOT,
      ],
      { timeout: 900_000 },
    );
    buildSeconds = (performance.now() - started) / 1000;
  }, 1_800_000);

  afterAll(async () => {
    await docker(['rm', '-f', CONTAINER]).catch(() => undefined);
  });

  it('is labelled with version and source, runs as non-root and checks /healthz', async () => {
    expect(buildSeconds).toBeGreaterThan(0);
    const [image] = JSON.parse((await docker(['image', 'inspect', IMAGE])).stdout) as {
      Config: {
        User: string;
        Labels: Record<string, string>;
        Healthcheck?: { Test: string[] };
        ExposedPorts: Record<string, unknown>;
      };
    }[];
    const config = image?.Config;
    expect(config?.User).toBe('node');
    expect(config?.Labels['org.opencontainers.image.version']).toBe(VERSION);
    expect(config?.Labels['org.opencontainers.image.source']).toMatch(/^https:\/\/github\.com\//);
    expect(config?.Labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$/);
    expect(config?.Healthcheck?.Test.join(' ')).toContain('/healthz');
    expect(Object.keys(config?.ExposedPorts ?? {})).toEqual(['3000/tcp']);
    const uid = await docker(['run', '--rm', '--network', 'none', '--entrypoint', 'id', IMAGE, '-u']);
    expect(uid.stdout.trim()).toBe('1000');
  });

  it('carries only the CPU llama.cpp binary for its platform, and it loads', async () => {
    const list = await docker(['run', '--rm', '--network', 'none', '--entrypoint', 'ls', IMAGE, LLAMA_DIR]);
    expect(list.stdout.trim().split('\n')).toEqual([`linux-${process.arch}`]);
    // A script file, not `node -e`: node-llama-cpp tests its binary in a child with the same execArgv.
    const script = `const m = await import('/app/node_modules/node-llama-cpp/dist/index.js');
const llama = await m.getLlama({ gpu: false, build: 'never' });
console.log('loaded', llama.gpu);
await llama.dispose();`;
    const run = await docker(
      [
        'run',
        '--rm',
        '--network',
        'none',
        '--entrypoint',
        'sh',
        IMAGE,
        '-c',
        `cat >/tmp/t.mjs <<'EOF'\n${script}\nEOF\nnode /tmp/t.mjs`,
      ],
      120_000,
    );
    expect(run.stdout.trim()).toBe('loaded false');
    const [image] = JSON.parse((await docker(['image', 'inspect', IMAGE])).stdout) as { Size: number }[];
    expect(image?.Size ?? Infinity).toBeLessThan(800 * 1024 * 1024);
  });

  // Debian keeps locally added CAs (a proxy's) in /usr/local/share/ca-certificates; the build stage
  // receives them, and neither the image's history nor its files may carry them.
  it('keeps the build-time CA certificates out of the runtime image history and files', async () => {
    const history = await docker(['history', '--no-trunc', IMAGE]);
    expect(history.stdout).not.toContain('BEGIN CERTIFICATE');
    for (const line of localCaLines()) {
      const found = await execa(
        'docker',
        [
          'run',
          '--rm',
          '--network',
          'none',
          '--entrypoint',
          'grep',
          IMAGE,
          '-rlsF',
          line,
          '/etc/ssl',
          '/app',
        ],
        { reject: false },
      );
      expect(found.stdout, line).toBe('');
    }
  });

  it('starts without a network, turns healthy, answers /healthz and stops cleanly on SIGTERM', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    // Intake only (--no-worker): the worker would need a Docker socket, which this check is not about.
    // A shorter health interval than the image's 15 s keeps the test quick; the check is the image's.
    await docker([
      'run',
      '-d',
      '--name',
      CONTAINER,
      '--network',
      'none',
      '--health-interval',
      '1s',
      '-e',
      'APP_ID=1',
      '-e',
      'WEBHOOK_SECRET=image-test',
      '-e',
      `PRIVATE_KEY=${pem}`,
      IMAGE,
      'serve',
      '--no-worker',
    ]);
    let health = '';
    for (const deadline = Date.now() + 60_000; Date.now() < deadline && health !== 'healthy'; ) {
      health = (await docker(['inspect', '-f', '{{.State.Health.Status}}', CONTAINER])).stdout.trim();
      if (health !== 'healthy') await new Promise((r) => setTimeout(r, 500));
    }
    expect(health, (await docker(['logs', CONTAINER])).all).toBe('healthy');

    const probe = await docker([
      'exec',
      CONTAINER,
      'node',
      '-e',
      "fetch('http://127.0.0.1:3000/healthz').then(async r => console.log(r.status, await r.text()))",
    ]);
    expect(probe.stdout.trim()).toBe('200 {"ok":true}');

    const started = performance.now();
    await docker(['stop', '--time', String(STOP_GRACE_S), CONTAINER], (STOP_GRACE_S + 30) * 1000);
    expect((performance.now() - started) / 1000).toBeLessThan(STOP_GRACE_S);
    const state = (await docker(['inspect', '-f', '{{.State.ExitCode}} {{.State.OOMKilled}}', CONTAINER]))
      .stdout;
    expect(state.trim()).toBe('0 false');
    const logs = (await docker(['logs', CONTAINER])).all ?? '';
    expect(logs).toMatch(/"msg":"shutting down"/);
    expect(logs).toContain('listening on http://0.0.0.0:3000');
  });
});
