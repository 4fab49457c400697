import { spawn } from 'node:child_process';
import { chownSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { ConjectureError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { Sandbox } from '../../src/core/sandbox.ts';
import {
  checkSandboxPolicy,
  createDockerApi,
  createLocalSandboxProvider,
  createSandboxProvider,
  SANDBOX_LABEL,
  sandboxSpecFromConfig,
  sweepOrphans,
} from '../../src/sandbox/index.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'conjecture-sbx-'));
  chownSync(dir, 1000, 1000);
  return dir;
}

function testConfig(env: Record<string, string> = {}) {
  return loadConfig({
    env: {
      CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE,
      CONJECTURE_SANDBOX_PIDS: '128',
      CONJECTURE_SANDBOX_MEMORY_MB: '256',
      ...env,
    },
  }).config;
}

async function containerExists(id: string): Promise<boolean> {
  const res = await createDockerApi('/var/run/docker.sock').call('GET', `/containers/${id}/json`, undefined, {
    okStatuses: [404],
  });
  return res.status !== 404;
}

describeIf(missingDocker(), 'Docker sandbox', () => {
  const config = testConfig();
  const provider = createSandboxProvider(config, silentLogger());
  let sandbox: Sandbox;
  let canary: Server;
  let canaryHits = 0;
  let canaryPort = 0;

  beforeAll(async () => {
    sandbox = await provider.create(sandboxSpecFromConfig(config.sandbox, workspace()));
    canary = createServer((_req, res) => {
      canaryHits++;
      res.end('reached');
    });
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    canaryPort = (canary.address() as { port: number }).port;
  });

  afterAll(async () => {
    await sandbox?.dispose();
    canary?.close();
  });

  it('has no network: only lo, and a server on the host loopback is unreachable', async () => {
    const ifaces = await sandbox.exec('ls /sys/class/net');
    expect(ifaces.output.trim().split('\n')).toEqual(['lo']);
    const curl = await sandbox.exec(`curl -sS -m 3 http://127.0.0.1:${canaryPort}/`, { timeoutMs: 10_000 });
    expect(curl.exitCode).not.toBe(0);
    expect(curl.output).not.toContain('reached');
    expect(canaryHits).toBe(0);
  });

  it('runs unprivileged: non-root, NoNewPrivs, no capabilities, no Docker socket, no user namespaces', async () => {
    const r = await sandbox.exec(
      'id -u; grep -E "^(NoNewPrivs|CapEff)" /proc/self/status; test -e /var/run/docker.sock && echo SOCKET; unshare -r true 2>/dev/null && echo UNSHARED; touch /etc/x 2>/dev/null && echo ROOTFS-WRITABLE; echo end',
    );
    const lines = r.output.trim().split('\n');
    expect(lines[0]).not.toBe('0');
    expect(r.output).toMatch(/NoNewPrivs:\s+1/);
    expect(r.output).toMatch(/CapEff:\s+0{16}/);
    expect(r.output).not.toMatch(/SOCKET|UNSHARED|ROOTFS-WRITABLE/);
  });

  it('runs each command in a fresh shell at the repo root with pager-free env', async () => {
    await sandbox.exec('cd /tmp && export FOO=1');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, on purpose
    const r = await sandbox.exec('pwd; echo "foo=${FOO:-unset} pager=$PAGER"; echo err >&2; exit 3', {
      env: { EXTRA: 'x' },
    });
    expect(r.exitCode).toBe(3);
    expect(r.output).toBe('/workspace\nfoo=unset pager=cat\nerr\n');
    expect((await sandbox.exec('printf %s "$EXTRA"', { env: { EXTRA: 'a b\nc' } })).output).toBe('a b\nc');
    expect((await sandbox.exec('pwd', { cwd: '/tmp' })).output).toBe('/tmp\n');
  });

  it('kills a command and its children at the timeout', async () => {
    const started = Date.now();
    const r = await sandbox.exec('(sleep 1000 &); sleep 1000 & sleep 1000; echo never', { timeoutMs: 2000 });
    expect(r.timedOut).toBe(true);
    expect(r.output).not.toContain('never');
    expect(Date.now() - started).toBeLessThan(6000);
    const ps = await sandbox.exec('ps -eo args | grep -c "^sleep 1000" || true');
    expect(ps.output.trim()).toBe('0');
  });

  it('caps huge output, keeping head and tail', async () => {
    const r = await sandbox.exec('echo START; head -c 50000000 /dev/zero | tr "\\0" x; echo; echo END', {
      maxOutputBytes: 10_000,
      timeoutMs: 60_000,
    });
    expect(r.truncated).toBe(true);
    expect(r.elidedBytes).toBe(50_000_000 + 6 + 1 + 4 - 10_000);
    expect(r.output.startsWith('START\nxxx')).toBe(true);
    expect(r.output.endsWith('xxx\nEND\n')).toBe(true);
    expect(r.output.length).toBeLessThan(10_100);
  });

  it('contains a fork bomb with the pids limit and keeps answering', async () => {
    const limit = await sandbox.exec(
      'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max',
    );
    expect(limit.output.trim()).toBe('128');
    // bash gives up once fork fails at the limit; the bomb ends instead of taking the machine.
    const r = await sandbox.exec('for i in $(seq 1 400); do sleep 30 & done; echo survived', {
      timeoutMs: 30_000,
    });
    expect(r.output).not.toContain('survived');
    const after = await sandbox.exec('echo alive; ps -e | grep -c "sleep 30" || true');
    expect(after.output).toBe('alive\n0\n');
  });

  it('contains a memory hog with the memory limit', async () => {
    const r = await sandbox.exec('python3 -c "b = bytearray(1024 * 1024 * 1024); print(len(b))"', {
      timeoutMs: 60_000,
    });
    expect(r.exitCode).not.toBe(0);
    expect((await sandbox.exec('echo alive')).output).toBe('alive\n');
  });

  it('still shows output after the agent fills /tmp', async () => {
    await sandbox.exec('head -c 2000000000 /dev/zero > /tmp/fill; true', { timeoutMs: 60_000 });
    expect((await sandbox.exec('echo visible')).output).toBe('visible\n');
    await sandbox.exec('rm -f /tmp/fill');
  });

  it('kills a running command when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1000);
    const started = Date.now();
    const r = await sandbox.exec('sleep 60', { signal: controller.signal, timeoutMs: 60_000 });
    expect(r.exitCode).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('removes the container when the process that owns it is killed', async () => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'fixtures', 'hold-sandbox.ts'), workspace(), SANDBOX_IMAGE],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const id = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
      child.once('exit', (code) => reject(new Error(`fixture exited ${code}`)));
    });
    expect(await containerExists(id)).toBe(true);
    child.kill('SIGKILL');
    const deadline = Date.now() + 20_000;
    while ((await containerExists(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await containerExists(id)).toBe(false);
  });

  it('sweeps orphans whose owner is dead and leaves live owners alone', async () => {
    const api = createDockerApi('/var/run/docker.sock');
    const make = async (pid: number) =>
      (
        await api.call<{ Id: string }>('POST', '/containers/create', {
          Image: SANDBOX_IMAGE,
          Cmd: ['true'],
          Labels: {
            [SANDBOX_LABEL]: '1',
            'dev.conjecture.owner-pid': String(pid),
            'dev.conjecture.owner-host': hostname(),
          },
          HostConfig: { NetworkMode: 'none' },
        })
      ).body.Id;
    const dead = await make(2 ** 22 + 12345);
    const live = await make(process.pid);
    const removed = await sweepOrphans(api, silentLogger());
    expect(removed).toContain(dead);
    expect(removed).not.toContain(live);
    expect(await containerExists(live)).toBe(true);
    await api.call('DELETE', `/containers/${live}?force=1`);
  });

  it('names the missing image and how to build it', async () => {
    const cfg = testConfig({ CONJECTURE_SANDBOX_IMAGE: 'conjecture-sandbox:does-not-exist' });
    const err = await createSandboxProvider(cfg, silentLogger())
      .create(sandboxSpecFromConfig(cfg.sandbox, workspace()))
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConjectureError);
    expect(err.code).toBe('image_missing');
    expect(err.message).toContain('conjecture-sandbox:does-not-exist');
    expect(err.hint).toContain('scripts/build-sandbox-image.sh');
  });

  it('says clearly when Docker is not running', async () => {
    const cfg = testConfig({ CONJECTURE_SANDBOX_DOCKER_SOCKET: '/tmp/no-such-docker.sock' });
    const err = await createSandboxProvider(cfg, silentLogger())
      .create(sandboxSpecFromConfig(cfg.sandbox, workspace()))
      .catch((e) => e);
    expect(err.code).toBe('docker_unavailable');
    expect(err.hint).toMatch(/dockerd/);
  });

  it('refuses root, network and the local runtime unless configured with a reason', async () => {
    const spec = sandboxSpecFromConfig(config.sandbox, '/w');
    expect(checkSandboxPolicy(spec, config.sandbox)).toEqual([]);
    expect(checkSandboxPolicy({ ...spec, user: '0:0' }, config.sandbox).map((v) => v.rule)).toEqual(['root']);
    expect(checkSandboxPolicy({ ...spec, network: true }, config.sandbox).map((v) => v.rule)).toEqual([
      'network',
    ]);
    expect(
      checkSandboxPolicy({ ...spec, hostWorkspace: '/var/run' }, config.sandbox).map((v) => v.rule),
    ).toEqual(['docker_socket']);
    const setup = sandboxSpecFromConfig(config.sandbox, '/w', { purpose: 'setup' });
    expect(setup.network).toBe(false);
    expect(setup.egress).toEqual({ allow: ['*'] });
    expect(checkSandboxPolicy(setup, config.sandbox)).toEqual([]);
    expect(checkSandboxPolicy({ ...setup, network: true }, config.sandbox).map((v) => v.rule)).toEqual([
      'network',
    ]);
    expect(
      checkSandboxPolicy({ ...spec, egress: { allow: ['*'] } }, config.sandbox).map((v) => v.rule),
    ).toEqual(['network']);
    expect(
      checkSandboxPolicy(
        { ...spec, readOnlyMounts: [{ host: '/deps', container: '/workspace/node_modules' }] },
        config.sandbox,
      ),
    ).toEqual([]);
    const rooted = testConfig({ CONJECTURE_SANDBOX_USER: '0:0' });
    await expect(
      createSandboxProvider(rooted, silentLogger()).create(
        sandboxSpecFromConfig(rooted.sandbox, workspace()),
      ),
    ).rejects.toMatchObject({ code: 'sandbox_policy' });
    expect(() => createLocalSandboxProvider({ allowLocal: false })).toThrow(/without any isolation/);
  });
});
