/**
 * The embedded `JobQueue`: SQLite via `node:sqlite`, safe for several processes on one machine
 * (each opens the same file). See docs/jobs.md for the semantics shared with the Redis backend.
 */
import type { Logger } from '../../core/log.ts';
import { silentLogger } from '../../core/log.ts';
import { createConsumer } from '../consumer.ts';
import { jobIdForKey } from '../lease.ts';
import {
  type BackoffPolicy,
  type CancelOutcome,
  type ClaimLimits,
  DELIVERY_RETENTION_MS,
  enqueueRequestSchema,
  JOB_STATES,
  type JobQueue,
  type JobState,
} from '../types.ts';
import { openJobsDatabase, transaction } from './database.ts';
import { createSqliteLeaseBackend } from './lease-backend.ts';
import { type Row, rowToRecord } from './rows.ts';

export interface SqliteJobQueueOptions {
  path: string;
  limits?: Partial<ClaimLimits>;
  backoff?: Partial<BackoffPolicy>;
  busyTimeoutMs?: number;
  logger?: Logger;
}

export function createSqliteJobQueue(options: SqliteJobQueueOptions): JobQueue {
  const db = openJobsDatabase(options.path, options.busyTimeoutMs);
  const logger = options.logger ?? silentLogger();
  const limits: ClaimLimits = { perRepository: 1, perInstallation: 2, ...options.limits };
  const backoff: BackoffPolicy = { baseMs: 5000, maxMs: 300_000, ...options.backoff };
  const insert = db.prepare(
    `INSERT INTO jobs (id, idempotency_key, kind, state, payload, max_attempts, priority, repo, installation_id,
       created_at, run_after)
     VALUES (:id, :key, :kind, 'queued', :payload, :maxAttempts, :priority, :repo, :inst, :now, :now)
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
  );
  const byKey = db.prepare('SELECT * FROM jobs WHERE idempotency_key = ?');
  const byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
  const page = db.prepare(
    `SELECT * FROM jobs WHERE (:state IS NULL OR state = :state) AND (:repo IS NULL OR repo = :repo)
       AND seq < :beforeSeq ORDER BY seq DESC LIMIT :limit`,
  );
  const counts = db.prepare('SELECT state, count(*) AS n FROM jobs GROUP BY state');
  const addDelivery = db.prepare(
    'INSERT INTO deliveries (id, seen_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const pruneDeliveries = db.prepare('DELETE FROM deliveries WHERE seen_at < ?');
  const pruneJobs = db.prepare(
    `DELETE FROM jobs WHERE id IN (
       SELECT id FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < :before
       ORDER BY finished_at LIMIT :limit)`,
  );
  const get = (id: string) => {
    const row = byId.get(id) as Row | undefined;
    return row ? rowToRecord(row) : null;
  };

  return {
    backend: 'sqlite',
    async enqueue(request) {
      const r = enqueueRequestSchema.parse(request);
      const row = insert.get({
        id: jobIdForKey(r.idempotencyKey),
        key: r.idempotencyKey,
        kind: r.kind,
        payload: JSON.stringify(r.payload),
        maxAttempts: r.maxAttempts,
        priority: r.priority,
        repo: r.repo,
        inst: r.installationId ?? null,
        now: Date.now(),
      }) as Row | undefined;
      if (row) return { job: rowToRecord(row), created: true };
      return { job: rowToRecord(byKey.get(r.idempotencyKey) as Row), created: false };
    },

    async get(id) {
      return get(id);
    },

    async list(query) {
      let beforeSeq = Number.MAX_SAFE_INTEGER;
      if (query.before) {
        const row = byId.get(query.before) as Row | undefined;
        if (!row) return { jobs: [], nextBefore: null };
        beforeSeq = Number(row.seq);
      }
      const rows = page.all({
        state: query.state ?? null,
        repo: query.repo ?? null,
        beforeSeq,
        limit: query.limit + 1,
      }) as Row[];
      const jobs = rows.slice(0, query.limit).map(rowToRecord);
      return { jobs, nextBefore: rows.length > query.limit ? (jobs.at(-1)?.id ?? null) : null };
    },

    async cancel(id, { by, reason }): Promise<CancelOutcome> {
      const now = Date.now();
      const outcome = transaction(db, () => {
        const job = get(id);
        if (!job) return 'not_found' as const;
        if (job.state !== 'queued' && job.state !== 'running') return 'already_ended' as const;
        // A running job keeps its state until its handler stops; the consumer sees the flag on renewal.
        const ends = job.state === 'queued';
        db.prepare(
          `UPDATE jobs SET cancel_by = coalesce(cancel_by, :by), cancel_reason = coalesce(cancel_reason, :reason),
             cancel_at = coalesce(cancel_at, :now)
             ${ends ? `, state = 'cancelled', finished_at = :now` : ''} WHERE id = :id`,
        ).run({ by, reason, now, id });
        return ends ? ('cancelled' as const) : ('cancel_requested' as const);
      });
      const job = get(id);
      if (outcome === 'not_found' || !job) return { kind: 'not_found' };
      return { kind: outcome, job };
    },

    consume(consumeOptions) {
      const backend = createSqliteLeaseBackend(db, limits);
      return createConsumer({ ...consumeOptions, backend, backoff, logger });
    },

    async stats() {
      const byState = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
      for (const row of counts.all() as Row[]) byState[row.state as JobState] = Number(row.n);
      return { byState, depth: byState.queued };
    },

    async recordDelivery(deliveryId) {
      const now = Date.now();
      pruneDeliveries.run(now - DELIVERY_RETENTION_MS);
      return Number(addDelivery.run(deliveryId, now).changes) === 1;
    },

    async prune({ finishedBefore, limit = 1_000 }) {
      return Number(pruneJobs.run({ before: finishedBefore.getTime(), limit }).changes);
    },

    async close() {
      if (db.isOpen) db.close();
    },
  };
}
