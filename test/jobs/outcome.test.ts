import { describe, expect, it } from 'vitest';
import { ConjectureError } from '../../src/core/errors.ts';
import { backoffDelay, settle } from '../../src/jobs/outcome.ts';
import type { JobRecord } from '../../src/jobs/types.ts';

const job = (attempts: number, maxAttempts = 3) => ({ attempts, maxAttempts }) as JobRecord;
const policy = { baseMs: 100, maxMs: 350 };
const flaky = new ConjectureError('busy', { code: 'model_busy', retryable: true });

describe('settle', () => {
  it('retries retryable errors with exponential, capped backoff while attempts remain', () => {
    expect(settle(job(1), { ok: false, error: flaky }, null, policy)).toMatchObject({
      kind: 'retry',
      delayMs: 100,
    });
    expect(settle(job(2), { ok: false, error: flaky }, null, policy)).toMatchObject({
      kind: 'retry',
      delayMs: 200,
    });
    expect(backoffDelay(policy, 5)).toBe(350);
    expect(settle(job(3), { ok: false, error: flaky }, null, policy)).toMatchObject({
      kind: 'failed',
      error: { code: 'model_busy', retryable: true },
    });
  });

  it('fails other errors at once, keeping their code', () => {
    const err = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    expect(settle(job(1), { ok: false, error: err }, null, policy)).toEqual({
      kind: 'failed',
      error: { code: 'ENOSPC', message: 'disk full', retryable: false },
    });
  });

  it('rejects a malformed result and honours why the job was aborted', () => {
    expect(settle(job(1), { ok: true, value: { nope: 1 } }, null, policy)).toMatchObject({
      kind: 'failed',
      error: { code: 'invalid_result' },
    });
    const ok = { ok: true as const, value: { exitStatus: 'submitted' } };
    expect(settle(job(1), ok, null, policy)).toEqual({
      kind: 'succeeded',
      result: { exitStatus: 'submitted' },
    });
    expect(settle(job(1), { ok: false, error: flaky }, 'cancel', policy)).toEqual({
      kind: 'cancelled',
      result: null,
    });
    expect(settle(job(1), { ok: false, error: flaky }, 'shutdown', policy)).toEqual({ kind: 'handback' });
    expect(settle(job(1), ok, 'lease_lost', policy)).toBeNull();
  });
});
