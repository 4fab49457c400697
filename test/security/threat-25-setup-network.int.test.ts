/**
 * THREAT #25 (network): the setup phase runs a repository's install with whatever network it gets.
 * It must never share the host's network namespace: its container has only `lo`, and reaches the
 * outside through the host's egress proxy, which lets through only `sandbox.setupAllow` and refuses
 * the host's loopback services and the cloud metadata address unless an entry names them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { Sandbox } from '../../src/core/sandbox.ts';
import { linkCachedDeps } from '../../src/eval/setup.ts';
import { createSandboxProvider, sandboxSpecFromConfig } from '../../src/sandbox/index.ts';
import { runSetup } from '../../src/validate/index.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';

async function listen(onHit: () => void, body: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => {
    onHit();
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describeIf(
  missingDocker(),
  'THREAT #25: the setup phase has no route to the host, metadata or cluster',
  () => {
    let canaryHits = 0;
    let registryHits = 0;
    let canary: { server: Server; port: number };
    let registry: { server: Server; port: number };
    let setup: Sandbox;

    beforeAll(async () => {
      canary = await listen(() => canaryHits++, 'CANARY-REACHED');
      registry = await listen(() => registryHits++, 'registry-index');
      const { config } = loadConfig({
        env: {
          CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE,
          // The loopback registry is named; the wildcard on the canary's port must still not reach it.
          CONJECTURE_SANDBOX_SETUP_ALLOW: `127.0.0.1:${registry.port},*:${canary.port},*:80`,
        },
      });
      const dir = mkdtempSync(join(tmpdir(), 'sec-setupnet-'));
      chownSync(dir, 1000, 1000);
      setup = await createSandboxProvider(config, silentLogger()).create(
        sandboxSpecFromConfig(config.sandbox, dir, { purpose: 'setup' }),
      );
    });
    afterAll(async () => {
      await setup?.dispose();
      canary?.server.close();
      registry?.server.close();
    });

    it('a setup command calling the host loopback canary (directly, by name, through the proxy) → nothing reaches it', async () => {
      const p = canary.port;
      const ran = await runSetup(
        setup,
        {
          command: [
            'ls /sys/class/net | tr "\\n" " "; echo',
            `curl -sS -m 5 http://127.0.0.1:${p}/ ; echo " via-proxy-literal=$?"`,
            `curl -sS -m 5 http://localhost:${p}/ ; echo " via-proxy-name=$?"`,
            `curl -sS -m 5 -x '' --noproxy '*' http://127.0.0.1:${p}/ ; echo " direct=$?"`,
            `curl -sS -m 5 -p http://127.0.0.1:${p}/ ; echo " connect-tunnel=$?"`,
            `curl -sS -m 5 http://[::ffff:127.0.0.1]:${p}/ ; echo " mapped=$?"`,
          ].join('\n'),
          source: 'config',
        },
        { timeoutMs: 60_000 },
      );
      expect(ran.output.split('\n')[0]?.trim()).toBe('lo');
      expect(ran.output).not.toContain('CANARY-REACHED');
      expect(ran.output).toMatch(/not in sandbox.setupAllow|loopback, private or link-local/);
      expect(canaryHits).toBe(0);
    });

    it('169.254.169.254 (cloud metadata) is unreachable, through the proxy and directly', async () => {
      const r = await setup.exec(
        [
          'curl -sS -m 5 http://169.254.169.254/latest/meta-data/ ; echo " proxy=$?"',
          `curl -sS -m 5 -x '' --noproxy '*' http://169.254.169.254/latest/meta-data/ ; echo " direct=$?"`,
        ].join('\n'),
        { timeoutMs: 30_000 },
      );
      expect(r.output).toMatch(
        /169\.254\.169\.254 resolves to 169\.254\.169\.254, a loopback, private or link-local/,
      );
      expect(r.output).toMatch(/direct=[1-9]/);
      expect(r.output).not.toMatch(/direct=0/);
    });

    it('an allowed registry is reachable over HTTP and through CONNECT', async () => {
      const r = await setup.exec(
        [
          `curl -sS -m 5 http://127.0.0.1:${registry.port}/simple/ ; echo " http=$?"`,
          `curl -sS -m 5 -p http://127.0.0.1:${registry.port}/simple/ ; echo " tunnel=$?"`,
        ].join('\n'),
        { timeoutMs: 30_000 },
      );
      expect(r.output).toContain('registry-index http=0');
      expect(r.output).toContain('registry-index tunnel=0');
      expect(registryHits).toBe(2);
      expect(canaryHits).toBe(0);
    });

    it("npm installs from an allowed registry through the proxy (the eval harness's cached dependency setup)", async () => {
      // A one-package registry on the host's loopback: metadata and a tarball, as npm fetches them.
      const pkg = mkdtempSync(join(tmpdir(), 'sec-npm-pkg-'));
      mkdirSync(join(pkg, 'package'));
      writeFileSync(
        join(pkg, 'package', 'package.json'),
        '{"name":"tiny-dep","version":"1.0.0","main":"index.js"}\n',
      );
      writeFileSync(join(pkg, 'package', 'index.js'), 'module.exports = 42;\n');
      execFileSync('tar', ['czf', join(pkg, 'tiny-dep-1.0.0.tgz'), '-C', pkg, 'package']);
      const tarball = readFileSync(join(pkg, 'tiny-dep-1.0.0.tgz'));
      let npmHits = 0;
      const npmRegistry = await new Promise<{ server: Server; port: number }>((resolve) => {
        const server = createServer((req, res) => {
          npmHits++;
          const port = (server.address() as { port: number }).port;
          if (req.url?.endsWith('.tgz')) return res.end(tarball);
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              name: 'tiny-dep',
              'dist-tags': { latest: '1.0.0' },
              versions: {
                '1.0.0': {
                  name: 'tiny-dep',
                  version: '1.0.0',
                  dist: {
                    tarball: `http://127.0.0.1:${port}/tiny-dep/-/tiny-dep-1.0.0.tgz`,
                    shasum: createHash('sha1').update(tarball).digest('hex'),
                  },
                },
              },
            }),
          );
        });
        server.listen(0, '127.0.0.1', () =>
          resolve({ server, port: (server.address() as { port: number }).port }),
        );
      });
      try {
        const { config } = loadConfig({
          env: {
            CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE,
            CONJECTURE_SANDBOX_SETUP_ALLOW: `127.0.0.1:${npmRegistry.port}`,
          },
        });
        const checkout = mkdtempSync(join(tmpdir(), 'sec-npm-checkout-'));
        writeFileSync(
          join(checkout, 'package.json'),
          '{"name":"app","version":"1.0.0","dependencies":{"tiny-dep":"1.0.0"}}\n',
        );
        writeFileSync(join(checkout, '.npmrc'), `registry=http://127.0.0.1:${npmRegistry.port}/\n`);
        const depsDir = mkdtempSync(join(tmpdir(), 'sec-npm-deps-'));
        const linked = await linkCachedDeps(
          {
            provider: createSandboxProvider(config, silentLogger()),
            config,
            logger: silentLogger(),
            depsDir,
            runAs: { uid: 1000, gid: 1000 },
            timeoutMs: 120_000,
            inflight: new Map(),
          },
          'octo/app',
          checkout,
          'npm install --ignore-scripts --no-audit --no-fund',
        );
        expect(linked.cached).toBe(false);
        expect(readFileSync(join(checkout, 'node_modules', 'tiny-dep', 'index.js'), 'utf8')).toContain('42');
        expect(npmHits).toBeGreaterThanOrEqual(2);
        expect(canaryHits).toBe(0);
      } finally {
        npmRegistry.server.close();
      }
    });

    it('the agent sandbox of the same job has no proxy and no route at all', async () => {
      const { config } = loadConfig({ env: { CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE } });
      const dir = mkdtempSync(join(tmpdir(), 'sec-agentnet-'));
      chownSync(dir, 1000, 1000);
      const agent = await createSandboxProvider(config, silentLogger()).create(
        sandboxSpecFromConfig(config.sandbox, dir),
      );
      try {
        const r = await agent.exec(
          `env | grep -ci proxy; curl -sS -m 5 -x http://127.0.0.1:47128 http://127.0.0.1:${registry.port}/ ; echo " rc=$?"`,
        );
        expect(r.output.split('\n')[0]).toBe('0');
        expect(r.output).toMatch(/rc=[1-9]/);
        expect(registryHits).toBe(2);
      } finally {
        await agent.dispose();
      }
    });
  },
);
