/** Readiness probes against real HTTP servers the test starts: a unix socket standing in for Docker, a loopback model endpoint. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { createOpenAIModel } from '../../src/model/index.ts';
import { dockerReadiness, modelReadiness, runReadiness } from '../../src/server/readiness.ts';

const dir = mkdtempSync(join(tmpdir(), 'cj-ready-'));
const socketPath = join(dir, 'docker.sock');
const seen: string[] = [];
let modelStatus = 200;
let docker: Server;
let model: Server;
let modelUrl: string;

const listen = (server: Server, at: string | number) =>
  new Promise<void>((resolve) =>
    typeof at === 'string' ? server.listen(at, resolve) : server.listen(at, '127.0.0.1', resolve),
  );

beforeAll(async () => {
  docker = createServer((req, res) => {
    res.writeHead(req.url === '/_ping' ? 200 : 404).end('OK');
  });
  model = createServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization ?? ''}`);
    if (req.url?.startsWith('/v1/hang/')) return; // never answers
    res.writeHead(modelStatus, { 'content-type': 'application/json' }).end('{"data":[]}');
  });
  await listen(docker, socketPath);
  await listen(model, 0);
  modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  model.closeAllConnections();
  await Promise.all([new Promise((r) => docker.close(r)), new Promise((r) => model.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

/** The model as `serve` opens it from settings (provider `auto`, the default, chose this server). */
const modelAt = (baseUrl: string, apiKey?: string) => {
  const { config } = loadConfig({
    env: { CONJECTURE_MODEL_BASE_URL: baseUrl, ...(apiKey ? { CONJECTURE_MODEL_API_KEY: apiKey } : {}) },
  });
  expect(config.model.provider).toBe('auto');
  const check = modelReadiness(createOpenAIModel(config.model, { logger: silentLogger() }));
  if (!check) throw new Error('an OpenAI-compatible model has a readiness probe');
  return check;
};

describe('readiness checks', () => {
  it('Docker is ready when /_ping answers on the socket, not when the socket is absent', async () => {
    const report = await runReadiness([
      dockerReadiness(socketPath),
      dockerReadiness(join(dir, 'absent.sock')),
    ]);
    expect(report.ready).toBe(false);
    expect(report.checks[0]).toMatchObject({ name: 'docker', ok: true });
    expect(report.checks[1]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not reachable .*ENOENT/),
    });
  });

  it('the model endpoint is asked for /models with the key, and an HTTP error is not ready', async () => {
    const check = modelAt(`${modelUrl}/`, 'sk-test');
    expect((await runReadiness([check])).ready).toBe(true);
    expect(seen.at(-1)).toBe('/v1/models Bearer sk-test');
    modelStatus = 500;
    const down = await runReadiness([check]);
    expect(down.checks[0]).toMatchObject({ ok: false, error: expect.stringContaining('HTTP 500') });
    modelStatus = 200;
  });

  it('a dependency that never answers is reported not ready within the timeout', async () => {
    const hang = modelAt(`${modelUrl}/hang`);
    const started = Date.now();
    const report = await runReadiness([hang], 300);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(report.checks[0]).toMatchObject({ ok: false, error: 'no answer within 300 ms' });
  });

  it('a model without a probe (a test double) adds no check', () => {
    expect(modelReadiness({})).toBeUndefined();
  });
});
