/**
 * The job queue seam (issue 5, items 1, 2, 4). A job accepted is a job finished, failed with a
 * reason, or cancelled — never lost. Two backends implement `JobQueue` with the same semantics:
 * SQLite (`node:sqlite`, one file, several processes on one machine) and BullMQ on Redis.
 * Everything that crosses the boundary from outside (enqueue requests, handler results) is parsed
 * with the zod schemas below.
 */
import { z } from 'zod';

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const jobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof jobStateSchema>;

/** `github-event`: a webhook delivery waiting to be checked and answered (the app's intake lane). */
export const jobKindSchema = z.enum(['fix', 'github-fix', 'github-event', 'eval', 'maintenance']);
export type JobKind = z.infer<typeof jobKindSchema>;

/** BullMQ priorities span 0..2^21; ours are centred on 0 so both backends accept the same range. */
export const MAX_PRIORITY = 1_000_000;

export const enqueueRequestSchema = z
  .object({
    kind: jobKindSchema,
    payload: z.record(z.string(), z.unknown()),
    idempotencyKey: z.string().min(1).max(512),
    priority: z.number().int().min(-MAX_PRIORITY).max(MAX_PRIORITY).default(0),
    repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'owner/name'),
    installationId: z.number().int().positive().optional(),
    maxAttempts: z.number().int().min(1).max(100).default(3),
  })
  .strict();
export type EnqueueRequest = z.input<typeof enqueueRequestSchema>;
export type ParsedEnqueueRequest = z.output<typeof enqueueRequestSchema>;

export const jobProgressSchema = z.object({
  phase: z.string().min(1),
  step: z.number().int().nonnegative().optional(),
  total: z.number().int().nonnegative().optional(),
  detail: z.string().optional(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

/** What a handler returns when the work ran to an end (which may be "the agent gave up"). */
export const jobResultSchema = z.object({
  exitStatus: z.string().min(1),
  usage: z
    .object({ promptTokens: z.number().nonnegative(), completionTokens: z.number().nonnegative() })
    .optional(),
  costUsd: z.number().nonnegative().optional(),
  prUrl: z.string().optional(),
  traceLocation: z.string().optional(),
  detail: z.string().optional(),
});
export type JobResult = z.infer<typeof jobResultSchema>;

/** Why a job failed (the API shows it as is). */
export const jobErrorSchema = z.object({ code: z.string(), message: z.string(), retryable: z.boolean() });
export type JobErrorInfo = z.infer<typeof jobErrorSchema>;

export interface CancelInfo {
  by: string;
  reason: string;
  at: Date;
}

export interface JobRecord {
  id: string;
  kind: JobKind;
  state: JobState;
  payload: Record<string, unknown>;
  idempotencyKey: string;
  /** Times the job was started, crashes included; a graceful hand-back does not count. */
  attempts: number;
  maxAttempts: number;
  priority: number;
  repo: string;
  installationId: number | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Earliest time a queued job may run (retry backoff). */
  runAfter: Date;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  progress: JobProgress | null;
  result: JobResult | null;
  error: JobErrorInfo | null;
  /** Set when someone asked to cancel (a running job keeps running until its handler stops). */
  cancel: CancelInfo | null;
}

export interface ListJobsQuery {
  state?: JobState;
  repo?: string;
  limit: number;
  /** A job id: return only jobs enqueued before it (newest first). */
  before?: string;
}

export type CancelOutcome =
  | { kind: 'cancelled'; job: JobRecord }
  | { kind: 'cancel_requested'; job: JobRecord }
  | { kind: 'already_ended'; job: JobRecord }
  | { kind: 'not_found' };

export interface QueueStats {
  byState: Record<JobState, number>;
  /** Jobs waiting to run (queued, including those in retry backoff). */
  depth: number;
}

export interface HandlerContext {
  /** Fires when the job is cancelled, its lease is lost, or the worker's grace period ended. */
  signal: AbortSignal;
  /** Renews the lease now (the consumer also renews it on a timer). */
  heartbeat(): Promise<void>;
  progress(progress: JobProgress): Promise<void>;
}

export type JobHandler = (job: JobRecord, ctx: HandlerContext) => Promise<JobResult>;

export interface ConsumeOptions {
  concurrency: number;
  handler: JobHandler;
  /** How long a claim lasts without a heartbeat; a dead worker's job is retried after this. */
  leaseMs: number;
  /** How often to look for work when idle (default 1000). */
  pollMs?: number;
}

export interface StopReport {
  finished: number;
  handedBack: number;
}

export interface Consumer {
  /** Stop taking work; let running jobs finish for up to `graceMs`, then hand them back. */
  stop(options: { graceMs: number }): Promise<StopReport>;
  readonly running: number;
}

export interface JobQueue {
  readonly backend: 'sqlite' | 'redis';
  enqueue(request: EnqueueRequest): Promise<{ job: JobRecord; created: boolean }>;
  get(id: string): Promise<JobRecord | null>;
  list(query: ListJobsQuery): Promise<{ jobs: JobRecord[]; nextBefore: string | null }>;
  cancel(id: string, by: { by: string; reason: string }): Promise<CancelOutcome>;
  consume(options: ConsumeOptions): Consumer;
  stats(): Promise<QueueStats>;
  /** Remembers a webhook delivery id for 7 days; true the first time it is seen. */
  recordDelivery(deliveryId: string): Promise<boolean>;
  /**
   * Forgets jobs that ended (succeeded, failed, cancelled) before `finishedBefore`, at most `limit`
   * of them (oldest first); returns how many. Their idempotency keys become free again.
   */
  prune(options: { finishedBefore: Date; limit?: number }): Promise<number>;
  close(): Promise<void>;
}

/** Limits applied when a job is claimed, shared by every process using the queue. */
export interface ClaimLimits {
  perRepository: number;
  perInstallation: number;
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DELIVERY_RETENTION_MS = 7 * 24 * 3600 * 1000;
