/**
 * The web page's routes, served by the API server next to `/api/v1`: `/` and `/jobs` (list and
 * charts), `/jobs/:id` (one job and its trace), `/jobs/status` and `/jobs/:id/status` (what the
 * page polls), `/login` and `/logout`. Signed-in means a session cookie holding an API token.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { dailySeries, type PriceTable, readJobHistory } from '../../jobs/cost.ts';
import type { JobRecord } from '../../jobs/types.ts';
import { parseTrace } from '../../trace/writer.ts';
import type { ApiQueue, TraceReader } from '../api-queue.ts';
import type { BearerAuth } from '../auth.ts';
import { HttpError, sendJson } from '../http-io.ts';
import type { RequestContext, Route } from '../router.ts';
import type { Html } from './html.ts';
import { jobPage, listPage, loginPage } from './pages.ts';
import { clearedCookie, isSignedIn, sessionCookie } from './session.ts';
import { renderTraceHtml } from './trace-view.ts';

export interface WebOptions {
  queue: ApiQueue;
  auth: BearerAuth;
  readTrace?: TraceReader;
  readPatch?: TraceReader;
  /** Cloud price tables (`report.priceTables`); the cost chart uses the first. */
  priceTables?: Record<string, PriceTable>;
  /** Days the charts cover (default 14). */
  chartDays?: number;
  now?: () => Date;
}

/** Paths the web page owns, so the API server knows to answer them. */
export function isWebPath(path: string): boolean {
  return (
    path === '/' || path === '/login' || path === '/logout' || path === '/jobs' || path.startsWith('/jobs/')
  );
}

const LIST_LIMIT = 100;
const MAX_FORM_BYTES = 4_096;

export function createWebRoutes(options: WebOptions): Route[] {
  const { queue, auth } = options;
  const page = (ctx: RequestContext, status: number, build: (nonce: string) => Html) => {
    const nonce = randomBytes(16).toString('base64');
    sendHtml(ctx.res, status, build(nonce).text, nonce);
  };
  // Pages redirect to the sign-in form; the JSON the page polls answers 401.
  const signedIn = (ctx: RequestContext, kind: 'page' | 'json'): boolean => {
    if (isSignedIn(ctx.req, auth)) return true;
    if (kind === 'json') throw new HttpError(401, 'unauthorized', 'sign in at /login');
    ctx.res.writeHead(303, { location: '/login', 'cache-control': 'no-store' }).end();
    return false;
  };
  const mustGet = async (id: string): Promise<JobRecord> => {
    const job = await queue.get(id);
    if (!job) throw new HttpError(404, 'job_not_found', `no job ${id}`, { hint: 'see the list at /jobs' });
    return job;
  };
  const status = (jobs: readonly JobRecord[]) => ({
    jobs: jobs.map((j) => ({ id: j.id, state: j.state, phase: j.progress?.phase ?? null })),
  });

  const list: Route['handle'] = async (ctx) => {
    if (!signedIn(ctx, 'page')) return;
    const days = options.chartDays ?? 14;
    const now = options.now?.() ?? new Date();
    const since = new Date(now.getTime() - days * 86_400_000);
    const [{ jobs }, history] = await Promise.all([
      queue.list({ limit: LIST_LIMIT }),
      readJobHistory(queue, { since, max: 5_000 }),
    ]);
    const priceTables = options.priceTables ?? {};
    const series = dailySeries(history.jobs, { days, now, priceTables });
    page(ctx, 200, (nonce) =>
      listPage(nonce, { jobs, days: series, priceTable: Object.keys(priceTables)[0] }),
    );
  };

  return [
    { method: 'GET', pattern: '/', auth: false, handle: list },
    { method: 'GET', pattern: '/jobs', auth: false, handle: list },
    {
      method: 'GET',
      pattern: '/jobs/status',
      auth: false,
      async handle(ctx) {
        signedIn(ctx, 'json');
        sendJson(ctx.res, 200, status((await queue.list({ limit: LIST_LIMIT })).jobs));
      },
    },
    {
      method: 'GET',
      pattern: '/jobs/:id',
      auth: false,
      async handle(ctx) {
        if (!signedIn(ctx, 'page')) return;
        const job = await mustGet(ctx.params.id ?? '');
        const [jsonl, patch] = await Promise.all([
          options.readTrace?.(job) ?? null,
          options.readPatch?.(job) ?? null,
        ]);
        const trace = renderTraceHtml(parseTrace(jsonl ?? ''));
        page(ctx, 200, (nonce) => jobPage(nonce, { job, trace, patch }));
      },
    },
    {
      method: 'GET',
      pattern: '/jobs/:id/status',
      auth: false,
      async handle(ctx) {
        signedIn(ctx, 'json');
        sendJson(ctx.res, 200, status([await mustGet(ctx.params.id ?? '')]));
      },
    },
    {
      method: 'GET',
      pattern: '/login',
      auth: false,
      handle: (ctx) => page(ctx, 200, (nonce) => loginPage(nonce, false)),
    },
    {
      method: 'POST',
      pattern: '/login',
      auth: false,
      async handle(ctx) {
        const token = new URLSearchParams(await readForm(ctx)).get('token')?.trim() ?? '';
        if (!/^\S+$/.test(token) || !auth.check(`Bearer ${token}`).ok) {
          page(ctx, 401, (nonce) => loginPage(nonce, true));
          return;
        }
        ctx.res
          .writeHead(303, {
            location: '/jobs',
            'set-cookie': sessionCookie(ctx.req, token),
            'cache-control': 'no-store',
          })
          .end();
      },
    },
    {
      method: 'POST',
      pattern: '/logout',
      auth: false,
      handle: (ctx) =>
        void ctx.res
          .writeHead(303, {
            location: '/login',
            'set-cookie': clearedCookie(ctx.req),
            'cache-control': 'no-store',
          })
          .end(),
    },
  ];
}

async function readForm(ctx: RequestContext): Promise<string> {
  const type = (ctx.req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded')
    throw new HttpError(
      415,
      'unsupported_media_type',
      'the sign-in form posts application/x-www-form-urlencoded',
    );
  let body = '';
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    body += chunk.toString('utf8');
    if (body.length > MAX_FORM_BYTES) throw new HttpError(413, 'body_too_large', 'the form is too large');
  }
  return body;
}

/**
 * The CSP allows only this response's nonce for script and style, same-origin fetches and form
 * posts, and no framing: injected markup, had escaping missed it, could neither run nor exfiltrate.
 */
function sendHtml(res: ServerResponse, status: number, text: string, nonce: string): void {
  const payload = Buffer.from(text);
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(payload.length),
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });
  res.end(payload);
}
