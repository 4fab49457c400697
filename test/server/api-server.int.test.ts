/**
 * The REST API over real HTTP on 127.0.0.1, against an in-memory jobs port. Every JSON answer is
 * checked against the schemas of the OpenAPI document the server itself serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { createApiServer, type ListeningServer } from '../../src/server/api-server.ts';
import { hashApiToken } from '../../src/server/auth.ts';
import { createConjectureMetrics } from '../../src/server/metrics.ts';
import type { ReadinessCheck } from '../../src/server/readiness.ts';
import { createFakeQueue } from './fake-queue.ts';
import { createOpenApiChecker } from './openapi-check.ts';

const TOKEN = 'cjt_integration-token';
const queue = createFakeQueue();
const traces = new Map<string, string>();
const metrics = createConjectureMetrics({ queue: () => queue.stats() });
let dockerOk = true;
const docker: ReadinessCheck = {
  name: 'docker',
  check: async () => {
    if (!dockerOk) throw new Error('docker down');
    return undefined;
  },
};
let server: ListeningServer;
let check: (id: string, value: unknown) => void;

async function call(path: string, init: RequestInit & { token?: string | null; json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  const body = (res.headers.get('content-type') ?? '').startsWith('application/json')
    ? JSON.parse(text)
    : text;
  return { status: res.status, headers: res.headers, body };
}

const createJob = (json: unknown, headers?: Record<string, string>) =>
  call('/api/v1/jobs', { method: 'POST', json, headers });

beforeAll(async () => {
  const api = createApiServer({
    queue,
    logger: silentLogger(),
    tokenHashes: [hashApiToken(TOKEN)],
    metrics,
    readiness: [docker],
    readTrace: async (job) => traces.get(job.result?.traceLocation ?? '') ?? null,
    maxAttempts: 2,
    renderTrace: (jsonl) => `# Trace\n\n${jsonl.trim().split('\n').length} events\n`,
  });
  server = await api.listen({ host: '127.0.0.1', port: 0 });
  const doc = await call('/api/v1/openapi.json', { token: null });
  check = createOpenApiChecker(doc.body);
});
afterAll(() => server.close(1_000));

describe('REST API auth', () => {
  it('refuses missing and unknown tokens with a Bearer challenge', async () => {
    for (const token of [null, 'wrong']) {
      const res = await call('/api/v1/jobs', { token });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      check('Error', res.body);
    }
  });

  it('accepts no token at all when none are configured, and says how to fix it', async () => {
    const bare = await createApiServer({ queue, logger: silentLogger(), tokenHashes: [] }).listen({
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const res = await fetch(`${bare.url}/api/v1/jobs`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { hint: string } }).error.hint).toMatch(/apiTokenHashes/);
    } finally {
      await bare.close(500);
    }
  });
});

describe('REST API jobs', () => {
  it('queues a job (201, Location) and returns the same job for a repeated idempotency key', async () => {
    const first = await createJob({
      repo: 'octo/demo',
      issue: { title: 'Fix the parser', body: 'It breaks.' },
      idempotencyKey: 'k1',
    });
    expect(first.status).toBe(201);
    check('Job', first.body);
    expect(first.body).toMatchObject({
      state: 'queued',
      repo: 'octo/demo',
      priority: 0,
      issue: { title: 'Fix the parser' },
    });
    expect(first.headers.get('location')).toBe(`/api/v1/jobs/${first.body.id}`);
    expect(queue.requests.at(-1)).toEqual({
      kind: 'fix',
      payload: { source: 'api', remote: 'octo/demo', issue: { title: 'Fix the parser', body: 'It breaks.' } },
      idempotencyKey: 'api:k1',
      priority: 0,
      repo: 'octo/demo',
      maxAttempts: 2,
    });
    const again = await createJob(
      { repo: 'octo/demo', issue: { title: 'other' } },
      { 'idempotency-key': 'k1' },
    );
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const third = await createJob({ repo: 'https://github.com/octo/demo.git', issue: { number: 12 } });
    expect(third.status).toBe(201);
    expect(third.body.id).not.toBe(first.body.id);
    expect(third.body).toMatchObject({ repo: 'octo/demo', issue: { number: 12 } });
    expect(queue.requests.at(-1)?.idempotencyKey).toMatch(/^api:[0-9a-f-]{36}$/);
  });

  it('answers a body that does not match with 400 and the path of each problem', async () => {
    const res = await createJob({
      repo: 'not a repo',
      issue: { title: '' },
      options: { stepLimit: 0, sudo: true },
    });
    expect(res.status).toBe(400);
    check('Error', res.body);
    const paths = res.body.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['repo', 'issue.title', 'options', 'options.stepLimit']));
  });

  it('refuses non-JSON, malformed JSON and oversized bodies', async () => {
    const form = await call('/api/v1/jobs', {
      method: 'POST',
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const broken = await call('/api/v1/jobs', {
      method: 'POST',
      body: '{"repo":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_json');
    const huge = await createJob({ repo: 'o/r', issue: { title: 't', body: 'x'.repeat(300_000) } });
    expect(huge.status).toBe(413);
  });

  it('lists newest first with state filter and pages', async () => {
    for (let i = 0; i < 3; i++) await createJob({ repo: 'octo/paged', issue: { title: `p${i}` } });
    const page1 = await call('/api/v1/jobs?repo=octo/paged&limit=2');
    expect(page1.status).toBe(200);
    check('JobList', page1.body);
    expect(page1.body.jobs.map((j: { issue: { title: string } }) => j.issue.title)).toEqual(['p2', 'p1']);
    const page2 = await call(`/api/v1/jobs?repo=octo/paged&limit=2&before=${page1.body.nextBefore}`);
    expect(page2.body.jobs.map((j: { issue: { title: string } }) => j.issue.title)).toEqual(['p0']);
    expect(page2.body.nextBefore).toBeNull();
    const bad = await call('/api/v1/jobs?state=exploded');
    expect(bad.status).toBe(400);
  });

  it('gets one job, and 404s an unknown id', async () => {
    const created = await createJob({
      repo: 'octo/get',
      issue: { url: 'https://github.com/octo/get/issues/3' },
    });
    const got = await call(`/api/v1/jobs/${created.body.id}`);
    expect(got.status).toBe(200);
    check('Job', got.body);
    expect(got.body.issue).toEqual({ url: 'https://github.com/octo/get/issues/3' });
    const missing = await call('/api/v1/jobs/nope');
    expect(missing.status).toBe(404);
    check('Error', missing.body);
  });

  it('asks a running job to stop (202, cancelRequested) without pretending it stopped', async () => {
    const created = await createJob({ repo: 'octo/cancel', issue: { title: 'r' } });
    const record = queue.records.find((r) => r.id === created.body.id);
    if (!record) throw new Error('fake lost the job');
    record.state = 'running';
    const res = await call(`/api/v1/jobs/${record.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(202);
    check('Job', res.body);
    expect(res.body).toMatchObject({ state: 'running', cancelRequested: true });
    expect(record.cancel).toMatchObject({ by: 'api' });
  });

  it('cancels a queued job (202), then 409s a second cancel', async () => {
    const created = await createJob({ repo: 'octo/cancel', issue: { title: 'c' } });
    const cancelled = await call(`/api/v1/jobs/${created.body.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(202);
    check('Job', cancelled.body);
    expect(cancelled.body.state).toBe('cancelled');
    const again = await call(`/api/v1/jobs/${created.body.id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('job_ended');
    expect((await call('/api/v1/jobs/nope/cancel', { method: 'POST' })).status).toBe(404);
  });

  it('serves the trace as JSONL or rendered Markdown, and 404s a job without one', async () => {
    const created = await createJob({ repo: 'octo/trace', issue: { title: 't' } });
    const id = created.body.id as string;
    expect((await call(`/api/v1/jobs/${id}/trace`)).status).toBe(404);
    const record = queue.records.find((r) => r.id === id);
    if (!record) throw new Error('fake lost the job');
    record.state = 'succeeded';
    record.result = {
      exitStatus: 'submitted',
      traceLocation: `traces/${id}.jsonl`,
      usage: { promptTokens: 10, completionTokens: 2 },
    };
    const jsonl = '{"type":"start"}\n{"type":"end"}\n';
    traces.set(`traces/${id}.jsonl`, jsonl);
    const raw = await call(`/api/v1/jobs/${id}/trace`);
    expect(raw.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(raw.body).toBe(jsonl);
    const md = await call(`/api/v1/jobs/${id}/trace`, { headers: { accept: 'text/markdown' } });
    expect(md.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(md.body).toBe('# Trace\n\n2 events\n');
    expect((await call(`/api/v1/jobs/${id}/trace?format=markdown`)).body).toBe(md.body);
    const job = await call(`/api/v1/jobs/${id}`);
    check('Job', job.body);
    expect(job.body.links.trace).toBe(`/api/v1/jobs/${id}/trace`);
    expect(job.body.usage).toEqual({ promptTokens: 10, completionTokens: 2, costUsd: 0 });
  });

  it('answers 405 with Allow, 404 for unknown API paths, and 500 without leaking the error', async () => {
    const res = await call('/api/v1/jobs', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
    expect((await call('/api/v1/nothing')).status).toBe(404);
    queue.failNext = new Error('disk on fire at /secret/path');
    const boom = await createJob({ repo: 'o/r', issue: { title: 't' } });
    expect(boom.status).toBe(500);
    expect(JSON.stringify(boom.body)).not.toContain('secret');
    expect(boom.body.error.hint).toContain(boom.headers.get('x-request-id'));
  });

  it('does not claim paths it does not own, so it can sit in front of another server', async () => {
    const api = createApiServer({ queue, logger: silentLogger(), tokenHashes: [] });
    const res = { setHeader: () => expect.unreachable('wrote to a foreign request') };
    const mine = await api.handle(
      { url: '/api/github/webhooks', method: 'POST', headers: {} } as never,
      res as never,
    );
    expect(mine).toBe(false);
  });
});

describe('health, readiness and metrics', () => {
  it('/healthz answers without auth', async () => {
    const res = await call('/healthz', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok\n');
  });

  it('/readyz is 200 when every check passes and 503 naming the one that fails', async () => {
    const ok = await call('/readyz', { token: null });
    expect(ok.status).toBe(200);
    check('Readiness', ok.body);
    expect(ok.body.checks.map((c: { name: string }) => c.name)).toEqual(['queue', 'docker']);
    dockerOk = false;
    try {
      const down = await call('/readyz', { token: null });
      expect(down.status).toBe(503);
      check('Readiness', down.body);
      expect(down.body.checks.find((c: { name: string }) => c.name === 'docker')).toMatchObject({
        ok: false,
        error: 'docker down',
      });
    } finally {
      dockerOk = true;
    }
  });

  it('/metrics shows jobs by state, queue depth and the API requests just made', async () => {
    const before = await call('/metrics', { token: null });
    const count = (text: string) =>
      Number(
        /conjecture_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/jobs\/:id",status="404"\} (\d+)/.exec(
          text,
        )?.[1] ?? 0,
      );
    await call('/api/v1/jobs/does-not-exist');
    const res = await call('/metrics', { token: null });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const snap = await queue.stats();
    expect(res.body).toContain(`conjecture_jobs{state="queued"} ${snap.byState.queued}\n`);
    expect(res.body).toContain(`conjecture_jobs{state="cancelled"} ${snap.byState.cancelled}\n`);
    expect(res.body).toContain(`conjecture_queue_depth ${snap.depth}\n`);
    expect(count(res.body)).toBe(count(before.body) + 1);
  });
});
