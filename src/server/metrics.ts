/**
 * Conjecture's metrics (issue 5, item 5): jobs by state, queue depth, job durations, tokens, model
 * latency, sandbox exec latency, webhook intake latency, and the API's own requests. The worker,
 * model adapter, sandbox and webhook handler are handed these `observe*` functions by the CLI's
 * wiring; the job counts are read from the queue at scrape time.
 */
import { createMetricsRegistry, type MetricsRegistry } from './metrics-registry.ts';

export interface QueueSnapshot {
  /** Jobs per state, e.g. `{ queued: 3, running: 1, succeeded: 20 }`. */
  byState: Record<string, number>;
  /** Jobs waiting to start. */
  depth: number;
}

export interface ConjectureMetrics {
  readonly registry: MetricsRegistry;
  observeJobFinished(state: string, seconds: number): void;
  addTokens(promptTokens: number, completionTokens: number, costUsd?: number): void;
  observeModelCall(seconds: number, outcome: 'ok' | 'error'): void;
  observeSandboxExec(seconds: number, outcome: 'ok' | 'timeout' | 'error'): void;
  observeWebhookIntake(seconds: number, outcome: 'accepted' | 'duplicate' | 'ignored' | 'rejected'): void;
  observeHttpRequest(method: string, route: string, status: number, seconds: number): void;
  /** A refused trigger: answered, or left unanswered because its sender was answered recently. */
  countRefusalReply(outcome: 'sent' | 'silenced'): void;
}

const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const JOB_BUCKETS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

export function createConjectureMetrics(
  options: { queue?: () => Promise<QueueSnapshot> } = {},
): ConjectureMetrics {
  const registry = createMetricsRegistry();
  const queue = options.queue;
  let snapshot: Promise<QueueSnapshot> | undefined;
  // Both queue gauges come from one read of the queue per scrape.
  const read = () => {
    snapshot ??= (queue as () => Promise<QueueSnapshot>)().finally(() => {
      snapshot = undefined;
    });
    return snapshot;
  };
  if (queue) {
    registry.gauge({
      name: 'conjecture_jobs',
      help: 'Jobs in the queue by state.',
      labelNames: ['state'],
      collect: async (g) => {
        const s = await read();
        g.reset();
        for (const [state, n] of Object.entries(s.byState)) g.set({ state }, n);
      },
    });
    registry.gauge({
      name: 'conjecture_queue_depth',
      help: 'Jobs waiting to start.',
      collect: async (g) => g.set({}, (await read()).depth),
    });
  }
  const jobSeconds = registry.histogram({
    name: 'conjecture_job_duration_seconds',
    help: 'Wall time of finished jobs, by final state.',
    labelNames: ['state'],
    buckets: JOB_BUCKETS,
  });
  const tokens = registry.counter({
    name: 'conjecture_model_tokens_total',
    help: 'Model tokens used.',
    labelNames: ['kind'],
  });
  const cost = registry.counter({
    name: 'conjecture_model_cost_usd_total',
    help: 'Model cost in USD, when a price table is set.',
  });
  const model = registry.histogram({
    name: 'conjecture_model_request_duration_seconds',
    help: 'Latency of one model completion.',
    labelNames: ['outcome'],
  });
  const sandbox = registry.histogram({
    name: 'conjecture_sandbox_exec_duration_seconds',
    help: 'Latency of one sandbox command.',
    labelNames: ['outcome'],
  });
  const webhook = registry.histogram({
    name: 'conjecture_webhook_intake_duration_seconds',
    help: 'Time to acknowledge a webhook delivery.',
    labelNames: ['outcome'],
    buckets: FAST_BUCKETS,
  });
  const http = registry.histogram({
    name: 'conjecture_http_request_duration_seconds',
    help: 'REST API requests by route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: FAST_BUCKETS,
  });
  const refusals = registry.counter({
    name: 'conjecture_refusal_replies_total',
    help: 'Refused triggers by whether a reply was posted or withheld (one reply per sender and repository per hour).',
    labelNames: ['outcome'],
  });

  return {
    registry,
    observeJobFinished: (state, seconds) => jobSeconds.observe({ state }, seconds),
    addTokens(promptTokens, completionTokens, costUsd = 0) {
      tokens.inc({ kind: 'prompt' }, promptTokens);
      tokens.inc({ kind: 'completion' }, completionTokens);
      if (costUsd > 0) cost.inc({}, costUsd);
    },
    observeModelCall: (seconds, outcome) => model.observe({ outcome }, seconds),
    observeSandboxExec: (seconds, outcome) => sandbox.observe({ outcome }, seconds),
    observeWebhookIntake: (seconds, outcome) => webhook.observe({ outcome }, seconds),
    observeHttpRequest: (method, route, status, seconds) =>
      http.observe({ method, route, status: String(status) }, seconds),
    countRefusalReply: (outcome) => refusals.inc({ outcome }),
  };
}
