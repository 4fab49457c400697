/** Job records as Redis hashes: how a parsed request becomes fields, and fields become a record. */
import type { JobKind, JobRecord, JobState, ParsedEnqueueRequest } from '../types.ts';

export interface RedisKeys {
  /** Our keys; BullMQ's live under `${prefix}-bull`. */
  prefix: string;
  record(id: string): string;
  state(state: JobState): string;
  repo(repo: string): string;
  all: string;
  delivery(id: string): string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    prefix,
    record: (id) => `${prefix}:rec:${id}`,
    state: (state) => `${prefix}:state:${state}`,
    repo: (repo) => `${prefix}:repo:${repo}`,
    all: `${prefix}:all`,
    delivery: (id) => `${prefix}:delivery:${id}`,
  };
}

/** Field/value pairs for the CREATE script (state and seq are set by the script). */
export function recordFields(r: ParsedEnqueueRequest, now: number): string[] {
  const fields: Record<string, string | number> = {
    kind: r.kind,
    payload: JSON.stringify(r.payload),
    idempotencyKey: r.idempotencyKey,
    attempts: 0,
    maxAttempts: r.maxAttempts,
    priority: r.priority,
    repo: r.repo,
    installationId: r.installationId ?? '',
    createdAt: now,
    runAfter: now,
  };
  return Object.entries(fields).flatMap(([k, v]) => [k, String(v)]);
}

const date = (v: string | undefined): Date | null => (v ? new Date(Number(v)) : null);
const json = <T>(v: string | undefined): T | null => (v ? (JSON.parse(v) as T) : null);

export function hashToRecord(id: string, h: Record<string, string>): JobRecord | null {
  if (!h.state) return null;
  const cancelAt = date(h.cancelAt);
  return {
    id,
    kind: h.kind as JobKind,
    state: h.state as JobState,
    payload: json<Record<string, unknown>>(h.payload) ?? {},
    idempotencyKey: h.idempotencyKey ?? '',
    attempts: Number(h.attempts ?? 0),
    maxAttempts: Number(h.maxAttempts ?? 1),
    priority: Number(h.priority ?? 0),
    repo: h.repo ?? '',
    installationId: h.installationId ? Number(h.installationId) : null,
    createdAt: new Date(Number(h.createdAt)),
    startedAt: date(h.startedAt),
    finishedAt: date(h.finishedAt),
    runAfter: new Date(Number(h.runAfter ?? h.createdAt)),
    leaseOwner: h.leaseOwner || null,
    leaseExpiresAt: date(h.leaseExpiresAt),
    progress: json(h.progress),
    result: json(h.result),
    error: json(h.error),
    cancel: h.cancelBy && cancelAt ? { by: h.cancelBy, reason: h.cancelReason ?? '', at: cancelAt } : null,
  };
}
