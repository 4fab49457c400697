/**
 * The web page's HTTP behaviour over real HTTP on 127.0.0.1 (no browser): sign-in with an API
 * token into an HttpOnly SameSite=Strict cookie, redirects and 401s without it, the CSP with a
 * per-response nonce, escaping of hostile job data, and the status JSON the page polls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.ts';
import { createApiServer, type ListeningServer } from '../../../src/server/api-server.ts';
import { hashApiToken } from '../../../src/server/auth.ts';
import { createFakeQueue } from '../fake-queue.ts';

const TOKEN = 'cjt_web-routes';
const queue = createFakeQueue();
let server: ListeningServer;
let hostileId: string;

const get = (path: string, cookie?: string) =>
  fetch(`${server.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
const login = (token: string) =>
  fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });

beforeAll(async () => {
  const { job } = await queue.enqueue({
    kind: 'fix',
    payload: { issue: { title: '<script>alert(1)</script>"onclick="x' } },
    idempotencyKey: 'hostile',
    repo: 'octo/evil',
  });
  hostileId = job.id;
  server = await createApiServer({
    queue,
    logger: silentLogger(),
    tokenHashes: [hashApiToken(TOKEN)],
    web: { priceTables: { cloud: { inputPerMTokUsd: 1, outputPerMTokUsd: 2 } } },
  }).listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => server.close(1_000));

describe('web sign-in', () => {
  it('sends pages to /login and answers the polled JSON with 401 when signed out', async () => {
    for (const path of ['/', '/jobs', `/jobs/${hostileId}`]) {
      const res = await get(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
    }
    expect((await get('/jobs/status')).status).toBe(401);
    expect((await get('/jobs/status', 'conjecture_token=wrong')).status).toBe(401);
  });

  it('refuses an unknown token and sets an HttpOnly SameSite=Strict cookie for a good one', async () => {
    const bad = await login('nope');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    const good = await login(TOKEN);
    expect(good.status).toBe(303);
    expect(good.headers.get('location')).toBe('/jobs');
    const cookie = good.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^conjecture_token=[^;]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    const list = await get('/jobs', cookie.split(';')[0]);
    expect(list.status).toBe(200);
    const logout = await fetch(`${server.url}/logout`, { method: 'POST', redirect: 'manual' });
    expect(logout.headers.get('set-cookie')).toMatch(/Max-Age=0/);
  });
});

describe('web pages', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = ((await login(TOKEN)).headers.get('set-cookie') ?? '').split(';')[0] as string;
  });

  it('serves the list with a nonce-only CSP whose nonce is the script and style nonce', async () => {
    const res = await get('/jobs', cookie);
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    const body = await res.text();
    expect(body).toContain(`<script nonce="${nonce}">`);
    expect(body.match(/<script/g)).toHaveLength(1);
    // The hostile title is text, in the list and in the job's page.
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;onclick=&quot;x');
    expect(body).toContain('Same tokens at cloud prices');
    const page = await (await get(`/jobs/${hostileId}`, cookie)).text();
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&lt;script&gt;alert(1)');
    // A second response gets a different nonce.
    const again = (await get('/jobs', cookie)).headers.get('content-security-policy');
    expect(again).not.toBe(csp);
  });

  it('answers the polled status JSON, and 404s an unknown job', async () => {
    const res = await get('/jobs/status', cookie);
    expect(await res.json()).toEqual({ jobs: [{ id: hostileId, state: 'queued', phase: null }] });
    const one = await get(`/jobs/${hostileId}/status`, cookie);
    expect(((await one.json()) as { jobs: { id: string }[] }).jobs[0]?.id).toBe(hostileId);
    expect((await get('/jobs/nope', cookie)).status).toBe(404);
  });

  it('is off with web: false, leaving the paths to whoever mounts the API', async () => {
    const api = createApiServer({ queue, logger: silentLogger(), tokenHashes: [], web: false });
    const bare = await api.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`${bare.url}/jobs`, { redirect: 'manual' });
      expect(res.status).toBe(404);
    } finally {
      await bare.close(500);
    }
  });
});
