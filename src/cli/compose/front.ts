/**
 * What answers on `serve`'s one port (src/server/front.ts routes it): the webhook endpoint in front
 * of Probot's middleware (the app of src/app/intake.ts), the REST API and web page with their
 * readiness checks, and — with `--serve-model` — the model endpoint. The webhook latency metric
 * learns from the app what became of each delivery.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createNodeMiddleware, type Probot } from 'probot';
import { createConjectureApp, type IntakeOutcome } from '../../app/index.ts';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../core/log.ts';
import type { Model } from '../../core/model.ts';
import type { JobQueue } from '../../jobs/index.ts';
import {
  type ConjectureMetrics,
  createApiServer,
  createFront,
  createPatchReader,
  createTraceReader,
  createWebhookEndpoint,
  dockerReadiness,
  modelReadiness,
  WEBHOOK_PATH,
} from '../../server/index.ts';
import { parseTrace, renderTraceMarkdown } from '../../trace/index.ts';
import { modelEndpointOf } from './model-endpoint.ts';

export interface AppFrontParts {
  config: Config;
  logger: Logger;
  stateDir: string;
  queue: JobQueue;
  intake: JobQueue;
  metrics: ConjectureMetrics;
  probot: Probot;
  webhookSecret: string;
  /** Whether this process runs jobs: only then do Docker and the model decide readiness. */
  runsJobs: boolean;
  model: Model;
  /** Served under `/v1/` when given. */
  servedModel?: Model;
}

export async function createAppFront(parts: AppFrontParts) {
  const { config, logger, metrics } = parts;
  const outcomes = new Map<string, IntakeOutcome>();
  const probotMiddleware = await createNodeMiddleware(
    createConjectureApp({
      config,
      logger,
      intake: parts.intake,
      onOutcome: (id, outcome) => outcomes.set(id, outcome),
    }),
    { probot: parts.probot, webhooksPath: WEBHOOK_PATH },
  );
  const fallback = (req: IncomingMessage, res: ServerResponse) =>
    probotMiddleware(req, res, () => res.writeHead(404).end());
  return createFront({
    webhook: createWebhookEndpoint({
      secret: parts.webhookSecret,
      logger: logger.child({ component: 'webhook' }),
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
      queue: parts.queue,
      logger: logger.child({ component: 'api' }),
      tokenHashes: config.server.apiTokenHashes,
      maxAttempts: config.queue.maxAttempts,
      // Webhooks only need the queue: a server that runs no jobs stays ready (and keeps storing
      // deliveries, which GitHub does not resend on its own) while Docker or the model is down.
      readiness: parts.runsJobs ? readinessOfRuns(config, parts.model) : [],
      readTrace: createTraceReader(parts.stateDir),
      readPatch: createPatchReader(parts.stateDir),
      renderTrace: (text) => renderTraceMarkdown(parseTrace(text)),
      web: { priceTables: config.report.priceTables },
    }),
    modelEndpoint: parts.servedModel ? modelEndpointOf(config, parts.servedModel, logger) : undefined,
    fallback,
    logger,
  });
}

/** What a server that runs jobs needs besides its queue: Docker, and its model (any provider). */
function readinessOfRuns(config: Config, model: Model) {
  const checks = [dockerReadiness(config.sandbox.dockerSocket)];
  const modelCheck = modelReadiness(model);
  if (modelCheck) checks.push(modelCheck);
  return checks;
}
