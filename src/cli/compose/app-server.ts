/**
 * `conjecture serve` put together: the work queue and the intake lane, rate limits, metrics, Probot,
 * the REST API and web page, optionally the model endpoint, all on one port (src/server/front.ts);
 * the intake consumer that acts on stored deliveries (src/app/events.ts); and — unless
 * `worker: false` — an in-process worker on the work queue.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createQueueDispatcher, type QueueDispatcher } from '../../app/index.ts';
import { createRateLimiter, type JobQueue, type RateLimiter, type StopReport } from '../../jobs/index.ts';
import { openBucketStore, openJobQueue } from '../../jobs/open.ts';
import {
  type ConjectureMetrics,
  createConjectureMetrics,
  createPublicServer,
  instrumentModel,
  instrumentSandboxes,
} from '../../server/index.ts';
import { createAppFront } from './front.ts';
import { createGitHubRunner, type RunnerDeps } from './github-runner.ts';
import { startIntakeConsumer } from './intake.ts';
import { refuseUnprotectedModelEndpoint } from './model-endpoint.ts';
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
  const server = createPublicServer(
    await createAppFront({
      config,
      logger: deps.logger,
      stateDir: deps.stateDir,
      queue,
      intake,
      metrics,
      probot,
      webhookSecret,
      runsJobs,
      model: deps.model,
      // The served model feeds /metrics like the pipeline's.
      servedModel: deps.serveModel ? jobDeps.model : undefined,
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
    idle: (options) => untilIdle([intake, queue], options?.pollMs),
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

/** Resolves once no job waits or runs in any of `queues`. */
async function untilIdle(queues: JobQueue[], pollMs = 100): Promise<void> {
  for (;;) {
    const stats = await Promise.all(queues.map((q) => q.stats()));
    if (stats.every((s) => s.byState.queued + s.byState.running === 0)) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
