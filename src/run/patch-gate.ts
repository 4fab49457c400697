/**
 * The host's patch policy (protected paths, deletions, unreadable headers) as every path applies
 * it — the app before it pushes, `conjecture fix` before it reports success or applies (THREATS.md
 * #34). A refused patch is still written to the run's directory for review; the run is `rejected`.
 */
import { checkPatchPolicy, type PatchViolation } from '../workspace/index.ts';
import type { RunResult } from './types.ts';

export function patchViolations(result: RunResult): PatchViolation[] {
  return checkPatchPolicy(result.patch, result.config.github);
}

/** The result with `outcome: 'rejected'` and the violations as its reason, when the policy refuses its patch. */
export function gatePatch(result: RunResult): { result: RunResult; violations: PatchViolation[] } {
  // No patch is already its own outcome (no_patch); there is nothing to refuse.
  const violations = result.patch ? patchViolations(result) : [];
  if (violations.length === 0) return { result, violations };
  return {
    result: {
      ...result,
      outcome: 'rejected',
      reason: `the patch was refused: ${violations.map((v) => v.message).join('; ')}`,
    },
    violations,
  };
}
