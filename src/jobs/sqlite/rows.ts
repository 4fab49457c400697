/** Mapping between `jobs` rows and `JobRecord`s; JSON columns are parsed here and nowhere else. */
import type { JobKind, JobRecord, JobState } from '../types.ts';

export type Row = Record<string, unknown>;

const date = (v: unknown): Date | null => (typeof v === 'number' ? new Date(v) : null);
const json = <T>(v: unknown): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : null);

export function rowToRecord(row: Row): JobRecord {
  const cancelAt = date(row.cancel_at);
  return {
    id: String(row.id),
    kind: row.kind as JobKind,
    state: row.state as JobState,
    payload: json<Record<string, unknown>>(row.payload) ?? {},
    idempotencyKey: String(row.idempotency_key),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    priority: Number(row.priority),
    repo: String(row.repo),
    installationId: typeof row.installation_id === 'number' ? row.installation_id : null,
    createdAt: new Date(Number(row.created_at)),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
    runAfter: new Date(Number(row.run_after)),
    leaseOwner: typeof row.lease_owner === 'string' ? row.lease_owner : null,
    leaseExpiresAt: date(row.lease_expires_at),
    progress: json(row.progress),
    result: json(row.result),
    error: json(row.error),
    cancel:
      typeof row.cancel_by === 'string' && cancelAt
        ? { by: row.cancel_by, reason: String(row.cancel_reason ?? ''), at: cancelAt }
        : null,
  };
}
