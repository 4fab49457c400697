/**
 * Picks one patch among attempts (issue 3 item 4): a patch that passes validation, then the smallest
 * diff, then the one whose trace shows the problem reproduced and then fixed.
 */
import type { AttemptResult } from './types.ts';

function rank(a: AttemptResult): number {
  if (!a.patch.trim()) return 3;
  if (a.validation === null) return 1;
  return a.validation.comparison.ok ? 0 : 2;
}

export function selectAttempt(attempts: AttemptResult[]): AttemptResult | null {
  const candidates = attempts.filter((a) => a.patch.trim() && a.exitStatus !== 'cancelled');
  if (candidates.length === 0) return null;
  return [...candidates].sort(
    (x, y) =>
      rank(x) - rank(y) ||
      x.diffLines - y.diffLines ||
      Number(y.reproduced) - Number(x.reproduced) ||
      x.attempt - y.attempt,
  )[0]!;
}
