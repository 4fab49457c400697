/**
 * Turns how a handler ended (a result, a thrown error, an abort and why) into a settlement. Only
 * errors that say they are retryable (`ConjectureError.retryable`) are retried, with exponential
 * backoff, and only while attempts remain; everything else fails at once with its code.
 */
import { ConjectureError } from '../core/errors.ts';
import type { Settlement } from './lease.ts';
import { type BackoffPolicy, type JobErrorInfo, type JobRecord, jobResultSchema } from './types.ts';

export type AbortReason = 'cancel' | 'shutdown' | 'lease_lost';

export type HandlerEnd = { ok: true; value: unknown } | { ok: false; error: unknown };

export function backoffDelay(policy: BackoffPolicy, attempts: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
}

export function describeJobError(err: unknown): JobErrorInfo {
  if (err instanceof ConjectureError)
    return { code: err.code, message: err.message, retryable: err.retryable };
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return {
      code: typeof code === 'string' ? code : 'handler_error',
      message: err.message,
      retryable: false,
    };
  }
  return { code: 'handler_error', message: String(err), retryable: false };
}

/** `null` means there is nothing to write: the lease is gone and someone else owns the job. */
export function settle(
  job: JobRecord,
  end: HandlerEnd,
  aborted: AbortReason | null,
  backoff: BackoffPolicy,
): Settlement | null {
  if (aborted === 'lease_lost') return null;
  if (aborted === 'shutdown') return { kind: 'handback' };
  if (aborted === 'cancel') {
    const parsed = end.ok ? jobResultSchema.safeParse(end.value) : null;
    return { kind: 'cancelled', result: parsed?.success ? parsed.data : null };
  }
  if (end.ok) {
    const parsed = jobResultSchema.safeParse(end.value);
    if (parsed.success) return { kind: 'succeeded', result: parsed.data };
    const message = `handler returned an invalid result: ${parsed.error.message}`;
    return { kind: 'failed', error: { code: 'invalid_result', message, retryable: false } };
  }
  const error = describeJobError(end.error);
  if (error.retryable && job.attempts < job.maxAttempts) {
    return { kind: 'retry', error, delayMs: backoffDelay(backoff, job.attempts) };
  }
  return { kind: 'failed', error };
}
