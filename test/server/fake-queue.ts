/**
 * An in-memory queue with the semantics the API relies on (idempotency by key, newest-first pages,
 * cancel of queued vs running vs ended jobs). It implements the API's slice of the real `JobQueue`.
 */
import type {
  CancelOutcome,
  EnqueueRequest,
  JobRecord,
  JobState,
  ListJobsQuery,
  QueueStats,
} from '../../src/jobs/types.ts';
import { JOB_STATES } from '../../src/jobs/types.ts';
import type { ApiQueue } from '../../src/server/api-queue.ts';

export interface FakeQueue extends ApiQueue {
  readonly records: JobRecord[];
  readonly requests: EnqueueRequest[];
  failNext: Error | null;
}

export function createFakeQueue(): FakeQueue {
  const records: JobRecord[] = [];
  const requests: EnqueueRequest[] = [];
  let seq = 0;
  const fake = {
    records,
    requests,
    failNext: null as Error | null,
    async enqueue(request: EnqueueRequest) {
      if (fake.failNext) {
        const err = fake.failNext;
        fake.failNext = null;
        throw err;
      }
      requests.push(request);
      const existing = records.find((r) => r.idempotencyKey === request.idempotencyKey);
      if (existing) return { job: existing, created: false };
      seq++;
      const createdAt = new Date(Date.UTC(2025, 0, 1, 0, 0, seq));
      const job: JobRecord = {
        id: `job-${String(seq).padStart(4, '0')}`,
        kind: request.kind,
        state: 'queued',
        payload: request.payload,
        idempotencyKey: request.idempotencyKey,
        attempts: 0,
        maxAttempts: request.maxAttempts ?? 3,
        priority: request.priority ?? 0,
        repo: request.repo,
        installationId: request.installationId ?? null,
        createdAt,
        startedAt: null,
        finishedAt: null,
        runAfter: createdAt,
        leaseOwner: null,
        leaseExpiresAt: null,
        progress: null,
        result: null,
        error: null,
        cancel: null,
      };
      records.push(job);
      return { job, created: true };
    },
    async get(id: string) {
      return records.find((r) => r.id === id) ?? null;
    },
    async list(query: ListJobsQuery) {
      let rows = [...records]
        .reverse()
        .filter((r) => (!query.state || r.state === query.state) && (!query.repo || r.repo === query.repo));
      if (query.before) {
        const i = rows.findIndex((r) => r.id === query.before);
        rows = i < 0 ? [] : rows.slice(i + 1);
      }
      const page = rows.slice(0, query.limit);
      return { jobs: page, nextBefore: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
    },
    async cancel(id: string, by: { by: string; reason: string }): Promise<CancelOutcome> {
      const job = records.find((r) => r.id === id);
      if (!job) return { kind: 'not_found' };
      if (job.state !== 'queued' && job.state !== 'running') return { kind: 'already_ended', job };
      job.cancel = { ...by, at: new Date() };
      if (job.state === 'running') return { kind: 'cancel_requested', job };
      job.state = 'cancelled';
      job.finishedAt = new Date(job.createdAt.getTime() + 1000);
      return { kind: 'cancelled', job };
    },
    async stats(): Promise<QueueStats> {
      const byState = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
      for (const r of records) byState[r.state]++;
      return { byState, depth: byState.queued };
    },
  } satisfies FakeQueue;
  return fake;
}
