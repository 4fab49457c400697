/**
 * Retry timing: exponential backoff with jitter (so workers sharing one server do not retry in
 * lockstep), and the server's own `retry-after` when it gives one — unless it asks for longer than
 * we are willing to wait, in which case the caller gives up with the error instead of hanging.
 */
import { retryAfterMs } from './errors.ts';

export interface Backoff {
  baseMs: number;
  maxMs: number;
  /** A `retry-after` longer than this ends the retries. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 500, maxMs: 30_000, maxRetryAfterMs: 120_000 };

/** Delay before retry number `attempt` (0-based), or undefined when we should not wait that long. */
export function retryDelay(
  err: unknown,
  attempt: number,
  backoff: Backoff,
  random = Math.random,
): number | undefined {
  const after = retryAfterMs(err);
  if (after !== undefined) return after <= backoff.maxRetryAfterMs ? after : undefined;
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt);
  // "Equal jitter": at least half the exponential delay, so retries still back off.
  return ceiling / 2 + random() * (ceiling / 2);
}

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error('model request aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
}

/** Waits `ms`, rejecting with an AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
