/**
 * What a backend must provide so one consumer loop (consumer.ts) can drive it: claim a job under a
 * lease, renew the lease, and settle it. Every write after the claim is fenced by the lease token, so
 * a worker that lost its lease (it stalled, another worker took the job over) cannot overwrite the
 * new owner's work.
 */
import { createHash } from 'node:crypto';
import type { CancelInfo, JobErrorInfo, JobProgress, JobRecord, JobResult } from './types.ts';

export interface Lease {
  job: JobRecord;
  token: string;
}

export interface RenewResult {
  /** False when the lease is no longer ours: stop working on the job. */
  held: boolean;
  cancel: CancelInfo | null;
}

/** How a claimed job ends this time round. */
export type Settlement =
  | { kind: 'succeeded'; result: JobResult }
  | { kind: 'failed'; error: JobErrorInfo }
  | { kind: 'retry'; error: JobErrorInfo; delayMs: number }
  | { kind: 'cancelled'; result: JobResult | null }
  /** Graceful shutdown: back to the queue, the attempt not counted. */
  | { kind: 'handback' };

export interface LeaseBackend {
  claim(owner: string, leaseMs: number): Promise<Lease | null>;
  renew(lease: Lease, leaseMs: number): Promise<RenewResult>;
  progress(lease: Lease, progress: JobProgress): Promise<void>;
  /** Returns false when the lease was lost before the settlement could be written. */
  settle(lease: Lease, settlement: Settlement): Promise<boolean>;
  /** Releases what the backend opened for this consumer. */
  close(): Promise<void>;
}

/** Reasons recorded when the queue, not the handler, ends a job. */
export const LEASE_EXPIRED_TOO_OFTEN: JobErrorInfo = {
  code: 'lease_expired_too_often',
  message: 'the job lost its worker (crash or kill) on every attempt',
  retryable: false,
};

/** The job id is a hash of the idempotency key, so every backend maps a key to the same id. */
export function jobIdForKey(idempotencyKey: string): string {
  return `j${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;
}
