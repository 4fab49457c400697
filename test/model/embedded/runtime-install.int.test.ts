/**
 * The first-use install of node-llama-cpp with the real npm: from this machine's npm cache (offline,
 * so the test never needs the registry) it installs node-llama-cpp and only this platform's CPU
 * binary, loadable from the install dir; with the registry unreachable it fails with a clear error
 * and the fix, not a stack trace.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/core/errors.ts';
import { binaryPackages, installRuntime } from '../../../src/model/embedded/runtime-package.ts';

const installDir = () => join(mkdtempSync(join(tmpdir(), 'conjecture-runtime-')), 'runtime');

/** npm's own settings through its environment, nothing else of the developer's. */
const npmEnv = (extra: Record<string, string>) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? tmpdir(),
  npm_config_update_notifier: 'false',
  ...extra,
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('installing the embedded runtime on first use (real npm)', () => {
  it('installs node-llama-cpp with only the CPU binary for this platform, loadable from its dir', async () => {
    const dir = installDir();
    const lines: string[] = [];
    // In this test process a plain import would find the checkout's devDependency: install directly.
    await installRuntime({
      dir,
      env: npmEnv({ npm_config_offline: 'true' }),
      onProgress: (l) => lines.push(l),
    });
    expect(lines[0]).toMatch(/^installing node-llama-cpp@3\.21\.1 @node-llama-cpp\/\S+@3\.21\.1/);
    const binaries = readdirSync(join(dir, 'node_modules', '@node-llama-cpp'));
    expect(binaries.map((b) => `@node-llama-cpp/${b}`)).toEqual(await binaryPackages());
    expect(binaries.some((b) => /cuda|vulkan/.test(b))).toBe(false);
    // Loaded from the install dir by a process that has no other copy on its resolution path.
    const script =
      "const { pathToFileURL } = await import('node:url'); const m = await import(pathToFileURL(process.argv[2]).href); const l = await m.getLlama({ build: 'never', gpu: false }); console.log(typeof l.loadModel);";
    const entry = join(dir, 'node_modules', 'node-llama-cpp', 'dist', 'index.js');
    expect(existsSync(entry)).toBe(true);
    // A script file, not `-e`: node-llama-cpp tests its binary in a child that inherits execArgv.
    const file = join(dir, 'load.mjs');
    writeFileSync(file, script);
    const run = await promisify(execFile)(process.execPath, [file, entry], {
      cwd: dir,
      timeout: 60_000,
    });
    expect(run.stdout.trim()).toBe('function');
  }, 240_000);

  it('with the registry unreachable: a clear error naming the fix', async () => {
    const registry = `http://127.0.0.1:${await closedPort()}/`;
    const err = await installRuntime({
      dir: installDir(),
      env: npmEnv({
        npm_config_registry: registry,
        npm_config_cache: mkdtempSync(join(tmpdir(), 'conjecture-npm-cache-')),
        npm_config_fetch_retries: '0',
        npm_config_fetch_timeout: '5000',
      }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('embedded_runtime_unavailable');
    expect((err as ModelError).message).toContain('the package registry is unreachable');
    expect((err as ModelError).hint).toContain('conjecture model pull');
  }, 120_000);
});
