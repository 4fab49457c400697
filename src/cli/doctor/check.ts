/**
 * `conjecture doctor` checks: each is small, bounded by a deadline, and may depend on another
 * (no point asking Docker for the image when Docker is not reachable). A check that throws fails
 * with the error's message and hint, so checks can simply call the real clients.
 */
import { ConjectureError } from '../../core/errors.ts';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckOutcome {
  status: Exclude<CheckStatus, 'skip'>;
  message: string;
  /** How to fix a failure or warning. */
  fix?: string;
}

export interface DoctorCheck {
  id: string;
  /** Short name for skip lines and JSON, e.g. `sandbox image conjecture-sandbox:0.1.0`. */
  title: string;
  /** A failed required check makes `doctor` exit 1; optional ones only warn. */
  required: boolean;
  /** The id of a check that must pass first; otherwise this one is skipped. */
  after?: string;
  run(signal: AbortSignal): Promise<CheckOutcome>;
}

export interface CheckResult {
  id: string;
  title: string;
  required: boolean;
  status: CheckStatus;
  message: string;
  fix?: string;
}

export async function runChecks(checks: readonly DoctorCheck[], timeoutMs: number): Promise<CheckResult[]> {
  const byId = new Map<string, Promise<CheckResult>>();
  const titleOf = new Map(checks.map((c) => [c.id, c.title]));
  for (const check of checks) {
    byId.set(
      check.id,
      (async () => {
        const dep = check.after ? await byId.get(check.after) : undefined;
        if (dep && dep.status !== 'pass')
          return result(check, { status: 'skip', message: `skipped: ${titleOf.get(dep.id)} failed` });
        return runOne(check, timeoutMs);
      })(),
    );
  }
  return Promise.all(checks.map((c) => byId.get(c.id)!));
}

async function runOne(check: DoctorCheck, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      // Settle first, then abort: the check's own rejection must not win the race.
      resolve({ status: 'fail', message: `${check.title}: no answer within ${timeoutMs} ms` });
      controller.abort();
    }, timeoutMs);
  });
  try {
    const outcome = await Promise.race([check.run(controller.signal), deadline]);
    return result(check, outcome);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const fix = err instanceof ConjectureError ? err.hint : undefined;
    return result(check, { status: 'fail', message, fix });
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function result(
  check: DoctorCheck,
  outcome: { status: CheckStatus; message: string; fix?: string },
): CheckResult {
  return {
    id: check.id,
    title: check.title,
    required: check.required,
    status: outcome.status,
    message: outcome.message,
    ...(outcome.fix ? { fix: outcome.fix } : {}),
  };
}
