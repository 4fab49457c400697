/**
 * The app's HTTP server: GitHub webhooks (verified here and by Probot: HMAC-SHA256 of the raw body)
 * stored in the intake lane, the intake consumer that acts on them (events.ts), the REST API and
 * health (src/server), and — unless `worker: false` — an in-process worker on the work queue.
 * Composition of the runtime parts happens in the CLI (`conjecture serve`) or in tests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware, Probot } from 'probot';
import { ConjectureError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { GitHubClient } from '../github/index.ts';
import {
  type Consumer,
  createRateLimiter,
  createWorker,
  DELIVERY_RETENTION_MS,
  type JobHandler,
  type JobQueue,
  openBucketStore,
  openJobQueue,
  type RateLimiter,
  type StopReport,
} from '../jobs/index.ts';
import { createModelEndpointHandler, isLoopbackHost } from '../model/embedded/endpoint.ts';
import { readBody } from '../server/http-io.ts';
import {
  type ConjectureMetrics,
  createApiServer,
  createBearerAuth,
  createConjectureMetrics,
  createFixJobHandler,
  createPatchReader,
  createTraceReader,
  dockerReadiness,
  instrumentJobHandler,
  instrumentModel,
  instrumentSandboxes,
  modelEndpointReadiness,
} from '../server/index.ts';
import { parseTrace, renderTraceMarkdown } from '../trace/index.ts';
import { createGitHubEventHandler } from './events.ts';
import type { GitHubJobDeps } from './github-job.ts';
import { createConjectureApp, GITHUB_EVENT_KIND, type IntakeOutcome } from './intake.ts';
import { createGitHubFixHandler, createQueueDispatcher, type QueueDispatcher } from './queue-dispatcher.ts';

export const WEBHOOK_PATH = '/api/github/webhooks';
/** Handling one delivery takes a few GitHub calls; a dead app's deliveries are picked up after this. */
const INTAKE_LEASE_MS = 10_000;

export interface AppServer {
  url: string;
  server: Server;
  dispatcher: QueueDispatcher;
  /** Resolves once no delivery waits in the intake lane and no run is queued or running (tests). */
  idle(options?: { pollMs?: number }): Promise<void>;
  /** Stops taking webhooks, stops the worker (unfinished jobs are handed back), closes the queue. */
  close(options?: { graceMs?: number }): Promise<StopReport | undefined>;
}

export type AppServerDeps = RunnerDeps & {
  /** The durable queue (default: opened from `config.queue` in the state dir); the server closes it. */
  queue?: JobQueue;
  /** The intake lane (default: opened from `config.queue` with `lane: 'intake'`); closed by the server. */
  intake?: JobQueue;
  /** Feeds `/metrics`; without it the server keeps its own (queue gauges and webhook intake). */
  metrics?: ConjectureMetrics;
  /** Default: token buckets from `config.rateLimit`, kept where the queue is (SQLite file or Redis). */
  rateLimiter?: RateLimiter;
  /** Run a worker in this process (default true); false when `conjecture worker` runs elsewhere. */
  worker?: boolean;
  /**
   * Also serve `model` (typically the embedded one) as an OpenAI-compatible endpoint under `/v1/`,
   * for workers on other machines. Needs `server.apiTokenHashes` unless the server is on loopback.
   */
  serveModel?: boolean;
  port?: number;
  host?: string;
};

export type RunnerDeps = Omit<GitHubJobDeps, 'octokitFor' | 'mintToken' | 'secrets'>;

/** The GitHub side of a run (app auth, repository tokens, host secrets) — for `serve` and `worker`. */
export function createGitHubRunner(deps: RunnerDeps): {
  probot: Probot;
  jobDeps: GitHubJobDeps;
  webhookSecret: string;
} {
  const { config } = deps;
  const { appId, privateKey, webhookSecret } = config.github;
  if (!appId || !privateKey || !webhookSecret) {
    throw new ConjectureError('the GitHub App is not configured', {
      code: 'app_not_configured',
      hint: 'set APP_ID, PRIVATE_KEY and WEBHOOK_SECRET (or github.appId/privateKey/webhookSecret); see docs/github-app.md',
    });
  }
  const probot = new Probot({
    appId,
    privateKey,
    secret: webhookSecret,
    baseUrl: config.github.apiUrl,
    log: deps.logger.child({ component: 'probot' }) as never,
  });
  const jobDeps: GitHubJobDeps = {
    ...deps,
    secrets: [privateKey, webhookSecret, ...(config.model.apiKey ? [config.model.apiKey] : [])],
    octokitFor: async (id) => (await probot.auth(id)) as unknown as GitHubClient,
    mintToken: (id, owner, repo) => mintRepositoryToken(probot, id, owner, repo),
  };
  return { probot, jobDeps, webhookSecret };
}

export async function startAppServer(deps: AppServerDeps): Promise<AppServer> {
  const { config } = deps;
  refuseUnprotectedModelEndpoint(deps);
  const queue = deps.queue ?? openJobQueue(config.queue, { stateDir: deps.stateDir, logger: deps.logger });
  const metrics = deps.metrics ?? createConjectureMetrics({ queue: () => queue.stats() });
  // The model and sandboxes feed /metrics from wherever the pipeline uses them.
  const { probot, jobDeps, webhookSecret } = createGitHubRunner({
    ...deps,
    model: instrumentModel(deps.model, metrics),
    sandboxes: instrumentSandboxes(deps.sandboxes, metrics),
  });
  const dispatcher = createQueueDispatcher({
    queue,
    maxAttempts: config.queue.maxAttempts,
    logger: deps.logger,
  });
  const intake =
    deps.intake ??
    openJobQueue(config.queue, { stateDir: deps.stateDir, logger: deps.logger, lane: 'intake' });
  const buckets = deps.rateLimiter ? undefined : openBucketStore(config.queue, { stateDir: deps.stateDir });
  const intakeConsumer = createWorker({
    queue: intake,
    handlers: {
      [GITHUB_EVENT_KIND]: createGitHubEventHandler({
        config,
        logger: deps.logger.child({ component: 'intake' }),
        dispatcher,
        rateLimiter: deps.rateLimiter ?? createRateLimiter({ ...config.rateLimit, store: buckets }),
        octokitFor: jobDeps.octokitFor,
      }),
    },
    // Deliveries of one repository are handled one at a time (the lane's limit); others in parallel.
    concurrency: 4,
    leaseMs: INTAKE_LEASE_MS,
    pollMs: 50,
    logger: deps.logger.child({ component: 'intake' }),
  });
  // Stored deliveries are what de-duplicates redeliveries; GitHub redelivers for days, not weeks.
  const pruneIntake = () =>
    intake
      .prune({ finishedBefore: new Date(Date.now() - DELIVERY_RETENTION_MS) })
      .catch((err) => deps.logger.warn({ err }, 'pruning old deliveries failed'));
  void pruneIntake();
  const pruneTimer = setInterval(pruneIntake, 3_600_000).unref();
  const runsJobs = deps.worker !== false;
  const worker = runsJobs ? startGitHubWorker(jobDeps, queue, deps.logger, metrics) : undefined;
  const outcomes = new Map<string, IntakeOutcome>();
  const api = createApiServer({
    metrics,
    queue,
    logger: deps.logger.child({ component: 'api' }),
    tokenHashes: config.server.apiTokenHashes,
    maxAttempts: config.queue.maxAttempts,
    // Webhooks only need the queue: a server that runs no jobs stays ready (and keeps storing
    // deliveries, which GitHub does not resend on its own) while Docker or the model is down.
    readiness: runsJobs ? readinessOfRuns(config) : [],
    readTrace: createTraceReader(deps.stateDir),
    readPatch: createPatchReader(deps.stateDir),
    renderTrace: (text) => renderTraceMarkdown(parseTrace(text)),
    web: { priceTables: config.report.priceTables },
  });
  const middleware = await createNodeMiddleware(
    createConjectureApp({
      config,
      logger: deps.logger,
      intake,
      onOutcome: (id, outcome) => outcomes.set(id, outcome),
    }),
    { probot, webhooksPath: WEBHOOK_PATH },
  );
  const modelEndpoint = deps.serveModel ? modelEndpointOf(deps, jobDeps.model) : undefined;
  const server = createServer((req, res) => {
    if (modelEndpoint && req.url?.startsWith('/v1/')) return modelEndpoint(req, res);
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (req.method === 'POST' && req.url?.split('?')[0] === WEBHOOK_PATH) {
      const started = performance.now();
      const deliveryId = String(req.headers['x-github-delivery'] ?? '');
      res.once('finish', () => {
        const outcome = outcomes.get(deliveryId);
        outcomes.delete(deliveryId);
        metrics.observeWebhookIntake(
          (performance.now() - started) / 1000,
          res.statusCode === 200 ? (outcome ?? 'ignored') : 'rejected',
        );
      });
      void readBody(req).then((raw) => {
        // Checked here as well as in Probot so a forged delivery is a 401 that never reaches a handler.
        if (!signatureMatches(raw, req.headers['x-hub-signature-256'], webhookSecret)) {
          res
            .writeHead(401, { 'content-type': 'application/json' })
            .end('{"error":"signature does not match"}');
          return;
        }
        (req as IncomingMessage & { body?: string }).body = raw.toString('utf8');
        void middleware(req, res, () => res.writeHead(404).end());
      });
      return;
    }
    void api.handle(req, res).then(
      (handled) => handled || middleware(req, res, () => res.writeHead(404).end()),
      (err) => {
        deps.logger.error({ err }, 'API request failed');
        if (!res.headersSent) res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve) =>
    server.listen(deps.port ?? config.server.port, deps.host ?? config.server.host, resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${deps.host ?? config.server.host}:${port}`,
    server,
    dispatcher,
    async idle({ pollMs = 100 } = {}) {
      for (;;) {
        const [a, b] = await Promise.all([intake.stats(), queue.stats()]);
        if (a.byState.queued + a.byState.running + b.byState.queued + b.byState.running === 0) return;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    async close(options = {}) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearInterval(pruneTimer);
      const graceMs = options.graceMs ?? config.server.shutdownGraceMs;
      const [report] = await Promise.all([
        worker?.stop({ graceMs }),
        intakeConsumer.stop({ graceMs: Math.min(graceMs, INTAKE_LEASE_MS) }),
      ]);
      await Promise.all([queue.close(), intake.close(), buckets?.close()]);
      return report;
    },
  };
}

/** Checked before anything is opened: other machines must not reach the model without a token. */
function refuseUnprotectedModelEndpoint(deps: AppServerDeps): void {
  const host = deps.host ?? deps.config.server.host;
  if (!deps.serveModel || deps.config.server.apiTokenHashes.length > 0) return;
  if (isLoopbackHost(host)) return;
  throw new ConjectureError(`serving the model on ${host} needs a bearer token`, {
    code: 'model_endpoint_unprotected',
    hint: 'add the sha256 of a token to server.apiTokenHashes (printf %s "$TOKEN" | sha256sum), or listen on 127.0.0.1',
  });
}

/** The model as an OpenAI-compatible endpoint, behind the API's bearer tokens when any are set. */
function modelEndpointOf(deps: AppServerDeps, model: GitHubJobDeps['model']) {
  const hashes = deps.config.server.apiTokenHashes;
  const auth = hashes.length > 0 ? createBearerAuth(hashes) : undefined;
  return createModelEndpointHandler({
    model,
    logger: deps.logger,
    authorize: auth ? (header) => auth.check(header).ok : undefined,
  });
}

/** What a server that runs jobs needs besides its queue: Docker, and the model endpoint when it uses one. */
function readinessOfRuns(config: AppServerDeps['config']) {
  const checks = [dockerReadiness(config.sandbox.dockerSocket)];
  if (config.model.provider === 'openai-compatible')
    checks.push(modelEndpointReadiness(config.model.baseUrl, { apiKey: config.model.apiKey }));
  return checks;
}

/** A worker on the work queue: runs triggered on GitHub and `fix` jobs submitted through the REST API. */
export function startGitHubWorker(
  deps: GitHubJobDeps,
  queue: JobQueue,
  logger: Logger,
  metrics?: ConjectureMetrics,
): Consumer {
  const measured = (handler: JobHandler) => (metrics ? instrumentJobHandler(handler, metrics) : handler);
  return createWorker({
    queue,
    handlers: {
      'github-fix': measured(createGitHubFixHandler(deps, queue)),
      fix: measured(createFixJobHandler(deps)),
    },
    concurrency: deps.config.queue.concurrency,
    leaseMs: deps.config.queue.leaseMs,
    logger: logger.child({ component: 'worker' }),
  });
}

/** A token for one repository only (THREATS.md #12), with only the permissions a run needs. */
async function mintRepositoryToken(
  probot: Probot,
  installationId: number,
  _owner: string,
  repo: string,
): Promise<string> {
  const appOctokit = (await probot.auth()) as unknown as {
    rest: {
      apps: {
        createInstallationAccessToken(p: Record<string, unknown>): Promise<{ data: { token: string } }>;
      };
    };
  };
  const { data } = await appOctokit.rest.apps.createInstallationAccessToken({
    installation_id: installationId,
    repositories: [repo],
    permissions: { contents: 'write', pull_requests: 'write', issues: 'write', metadata: 'read' },
  });
  return data.token;
}

/** GitHub's scheme: `sha256=` + hex HMAC-SHA256 of the raw body with the webhook secret. */
export function signatureMatches(
  raw: Buffer,
  header: string | string[] | undefined,
  secret: string,
): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
