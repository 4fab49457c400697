/**
 * `conjecture serve` put together: the work queue and the intake lane, rate limits, metrics, Probot,
 * the REST API and web page, optionally the model endpoint, all on one port (src/server/front.ts);
 * the intake consumer that acts on stored deliveries (src/app/events.ts); and — unless
 * `worker: false` — an in-process worker on the work queue.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware } from 'probot';
import {
  createConjectureApp,
  createQueueDispatcher,
  type IntakeOutcome,
  type QueueDispatcher,
} from '../../app/index.ts';
import type { Config } from '../../config/schema.ts';
import { createRateLimiter, type JobQueue, type RateLimiter, type StopReport } from '../../jobs/index.ts';
import { openBucketStore, openJobQueue } from '../../jobs/open.ts';
import {
  type ConjectureMetrics,
  createApiServer,
  createConjectureMetrics,
  createFront,
  createPatchReader,
  createPublicServer,
  createTraceReader,
  createWebhookEndpoint,
  dockerReadiness,
  instrumentModel,
  instrumentSandboxes,
  modelReadiness,
  WEBHOOK_PATH,
} from '../../server/index.ts';
import { parseTrace, renderTraceMarkdown } from '../../trace/index.ts';
import { createGitHubRunner, type RunnerDeps } from './github-runner.ts';
import { startIntakeConsumer } from './intake.ts';
import { modelEndpointOf, refuseUnprotectedModelEndpoint } from './model-endpoint.ts';
import { startGitHubWorker } from './worker.ts';

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

export async function startAppServer(deps: AppServerDeps): Promise<AppServer> {
  const { config } = deps;
  const host = deps.host ?? config.server.host;
  if (deps.serveModel) refuseUnprotectedModelEndpoint(config, host);
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
  const intakeConsumer = startIntakeConsumer({
    config,
    logger: deps.logger,
    intake,
    dispatcher,
    rateLimiter: deps.rateLimiter ?? createRateLimiter({ ...config.rateLimit, store: buckets }),
    octokitFor: jobDeps.octokitFor,
    onRefusalReply: (outcome) => metrics.countRefusalReply(outcome),
  });
  const runsJobs = deps.worker !== false;
  const worker = runsJobs ? startGitHubWorker(jobDeps, queue, deps.logger, metrics) : undefined;
  const outcomes = new Map<string, IntakeOutcome>();
  const probotMiddleware = await createNodeMiddleware(
    createConjectureApp({
      config,
      logger: deps.logger,
      intake,
      onOutcome: (id, outcome) => outcomes.set(id, outcome),
    }),
    { probot, webhooksPath: WEBHOOK_PATH },
  );
  const fallback = (req: IncomingMessage, res: ServerResponse) =>
    probotMiddleware(req, res, () => res.writeHead(404).end());
  const server = createPublicServer(
    createFront({
      webhook: createWebhookEndpoint({
        secret: webhookSecret,
        logger: deps.logger.child({ component: 'webhook' }),
        maxBytes: config.server.webhookMaxBytes,
        bodyTimeoutMs: config.server.bodyTimeoutMs,
        deliver: fallback,
        onReplied: ({ deliveryId, statusCode, seconds }) => {
          const outcome = outcomes.get(deliveryId);
          outcomes.delete(deliveryId);
          metrics.observeWebhookIntake(seconds, statusCode === 200 ? (outcome ?? 'ignored') : 'rejected');
        },
      }),
      api: createApiServer({
        metrics,
        queue,
        logger: deps.logger.child({ component: 'api' }),
        tokenHashes: config.server.apiTokenHashes,
        maxAttempts: config.queue.maxAttempts,
        // Webhooks only need the queue: a server that runs no jobs stays ready (and keeps storing
        // deliveries, which GitHub does not resend on its own) while Docker or the model is down.
        readiness: runsJobs ? readinessOfRuns(config, deps.model) : [],
        readTrace: createTraceReader(deps.stateDir),
        readPatch: createPatchReader(deps.stateDir),
        renderTrace: (text) => renderTraceMarkdown(parseTrace(text)),
        web: { priceTables: config.report.priceTables },
      }),
      modelEndpoint: deps.serveModel ? modelEndpointOf(config, jobDeps.model, deps.logger) : undefined,
      fallback,
      logger: deps.logger,
    }),
    {
      headersTimeoutMs: config.server.headersTimeoutMs,
      // Node's own limit is the backstop; the webhook endpoint answers a slow body first.
      requestTimeoutMs: config.server.headersTimeoutMs + config.server.bodyTimeoutMs + 1_000,
      logger: deps.logger.child({ component: 'http' }),
    },
  );
  await new Promise<void>((resolve) => server.listen(deps.port ?? config.server.port, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
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
      const graceMs = options.graceMs ?? config.server.shutdownGraceMs;
      const [report] = await Promise.all([worker?.stop({ graceMs }), intakeConsumer.stop(graceMs)]);
      await Promise.all([queue.close(), intake.close(), buckets?.close()]);
      return report;
    },
  };
}

/** What a server that runs jobs needs besides its queue: Docker, and its model (any provider). */
function readinessOfRuns(config: Config, model: AppServerDeps['model']) {
  const checks = [dockerReadiness(config.sandbox.dockerSocket)];
  const modelCheck = modelReadiness(model);
  if (modelCheck) checks.push(modelCheck);
  return checks;
}
