/**
 * The HTTP server of issue 5, item 5: the jobs API under `/api/v1` (bearer tokens), the OpenAPI
 * description, `/healthz`, `/readyz` and `/metrics`. Plain `node:http`; `handle` can also be
 * mounted in front of another server (it answers false for paths it does not own).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/log.ts';
import type { ApiQueue, TraceReader } from './api-queue.ts';
import { createBearerAuth } from './auth.ts';
import { HttpError, sendError, sendJson, sendText } from './http-io.ts';
import { API_PREFIX, createJobRoutes } from './job-routes.ts';
import type { ConjectureMetrics } from './metrics.ts';
import { CONTENT_TYPE as METRICS_CONTENT_TYPE } from './metrics-registry.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { functionReadiness, type ReadinessCheck, runReadiness } from './readiness.ts';
import { createRouter, type Route } from './router.ts';
import { createWebRoutes, isWebPath, type WebOptions } from './web/routes.ts';

export interface ApiServerOptions {
  queue: ApiQueue;
  logger: Logger;
  /** sha256 hex digests of accepted bearer tokens (`server.apiTokenHashes`). */
  tokenHashes: readonly string[];
  metrics?: ConjectureMetrics;
  /** Checks besides the queue's own (which is always included), e.g. Docker and the model endpoint. */
  readiness?: readonly ReadinessCheck[];
  /** e.g. `createTraceReader(stateDir)`; without it traces are 404. */
  readTrace?: TraceReader;
  renderTrace?: (jsonl: string) => string;
  /** e.g. `createPatchReader(stateDir)`; without it patches are 404. */
  readPatch?: TraceReader;
  /**
   * The web page under `/` and `/jobs` (sign-in with the same API tokens); on by default, `false`
   * turns it off. `priceTables` (`report.priceTables`) feed the cost chart.
   */
  web?: false | Pick<WebOptions, 'priceTables' | 'chartDays'>;
  /** Attempts for jobs submitted through the API (`queue.maxAttempts`, default 3). */
  maxAttempts?: number;
  version?: string;
}

export interface ListeningServer {
  url: string;
  server: Server;
  /** Stops accepting, lets requests in flight finish up to `graceMs`, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

export interface ApiServer {
  /** Answers the request if it is one of ours; false means "not mine" and nothing was written. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  listen(options: { host: string; port: number }): Promise<ListeningServer>;
}

export function createApiServer(options: ApiServerOptions): ApiServer {
  const auth = createBearerAuth(options.tokenHashes);
  const version = options.version ?? '0.1.0';
  const checks = [functionReadiness('queue', () => options.queue.stats()), ...(options.readiness ?? [])];
  // Built once, on first request: it does not change while the process runs.
  let openapi: string | undefined;
  const openapiText = () => {
    openapi ??= JSON.stringify(buildOpenApiDocument(version));
    return openapi;
  };
  const routes: Route[] = [
    ...createJobRoutes({
      queue: options.queue,
      readTrace: options.readTrace,
      renderTrace: options.renderTrace,
      readPatch: options.readPatch,
      maxAttempts: options.maxAttempts ?? 3,
    }),
    {
      method: 'GET',
      pattern: `${API_PREFIX}/openapi.json`,
      auth: false,
      handle: (ctx) => sendText(ctx.res, 200, 'application/json; charset=utf-8', openapiText()),
    },
    {
      method: 'GET',
      pattern: '/healthz',
      auth: false,
      handle: (ctx) => sendText(ctx.res, 200, 'text/plain; charset=utf-8', 'ok\n'),
    },
    {
      method: 'GET',
      pattern: '/readyz',
      auth: false,
      async handle(ctx) {
        const report = await runReadiness(checks);
        sendJson(ctx.res, report.ready ? 200 : 503, report);
      },
    },
    {
      method: 'GET',
      pattern: '/metrics',
      auth: false,
      async handle(ctx) {
        if (!options.metrics) throw new HttpError(404, 'not_found', 'metrics are not enabled');
        sendText(ctx.res, 200, METRICS_CONTENT_TYPE, await options.metrics.registry.render());
      },
    },
  ];
  const web = options.web !== false;
  if (web)
    routes.push(
      ...createWebRoutes({
        queue: options.queue,
        auth,
        readTrace: options.readTrace,
        readPatch: options.readPatch,
        ...(options.web || {}),
      }),
    );
  const router = createRouter(routes);
  const owned = (path: string) =>
    path === API_PREFIX ||
    path.startsWith(`${API_PREFIX}/`) ||
    ['/healthz', '/readyz', '/metrics'].includes(path) ||
    (web && isWebPath(path));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!owned(url.pathname)) return false;
    const requestId = validRequestId(req.headers['x-request-id']) ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    res.setHeader('x-content-type-options', 'nosniff');
    const log = options.logger.child({ requestId });
    const match = router.match(req.method ?? 'GET', url.pathname);
    let routeLabel =
      match.kind === 'found'
        ? match.route.pattern
        : match.kind === 'method_not_allowed'
          ? match.pattern
          : 'unmatched';
    try {
      if (match.kind === 'not_found')
        throw new HttpError(404, 'not_found', `no route ${url.pathname}`, {
          hint: `see ${API_PREFIX}/openapi.json`,
        });
      if (match.kind === 'method_not_allowed')
        throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here`, {
          headers: { allow: match.allow.join(', ') },
        });
      if (match.route.auth) authorize(req.headers.authorization);
      await match.route.handle({ req, res, params: match.params, query: url.searchParams });
    } catch (err) {
      if (!(err instanceof HttpError))
        log.error({ err, method: req.method, route: routeLabel }, 'API request failed');
      const httpErr =
        err instanceof HttpError
          ? err
          : new HttpError(500, 'internal', 'internal error', {
              hint: `quote request id ${requestId} to the operator`,
            });
      if (res.headersSent) res.destroy();
      else sendError(res, httpErr);
    } finally {
      routeLabel = routeLabel.replace(/[^\w/:.-]/g, '_');
      const seconds = (performance.now() - started) / 1000;
      options.metrics?.observeHttpRequest(req.method ?? 'GET', routeLabel, res.statusCode, seconds);
      log.debug(
        { method: req.method, route: routeLabel, status: res.statusCode, ms: Math.round(seconds * 1000) },
        'api request',
      );
    }
    return true;
  }

  function authorize(header: string | undefined): void {
    const result = auth.check(header);
    if (result.ok) return;
    const challenge = { 'www-authenticate': 'Bearer realm="conjecture"' };
    if (result.reason === 'none_configured')
      throw new HttpError(401, 'unauthorized', 'the API accepts no tokens: none are configured', {
        hint: 'add a token digest to server.apiTokenHashes (printf %s "$TOKEN" | sha256sum)',
        headers: challenge,
      });
    throw new HttpError(
      401,
      'unauthorized',
      result.reason === 'unknown' ? 'unknown token' : 'missing or malformed bearer token',
      {
        hint: 'send Authorization: Bearer <token>',
        headers: challenge,
      },
    );
  }

  return {
    handle,
    listen: ({ host, port }) => listenOn(handle, host, port, options.logger),
  };
}

function validRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && /^[\w.-]{1,100}$/.test(header) ? header : undefined;
}

function listenOn(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>,
  host: string,
  port: number,
  logger: Logger,
): Promise<ListeningServer> {
  const server = createServer((req, res) => {
    handle(req, res)
      .then((mine) => {
        if (!mine) sendError(res, new HttpError(404, 'not_found', 'not found'));
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'API handler crashed');
        res.destroy();
      });
  });
  // Slow clients must not hold sockets forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        url: `http://${shownHost}:${addr.port}`,
        server,
        close: (graceMs = 5_000) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => server.closeAllConnections(), graceMs);
            server.close(() => {
              clearTimeout(timer);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
