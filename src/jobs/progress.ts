/**
 * A running job's progress as the queue keeps it, and as people read it: `/conjecture status`, the
 * API's `progress` and the web page all say e.g. "agent step 7 of 40" (issue 14).
 */
import type { JobProgress } from './types.ts';

/** What a run reports as it goes (the pipeline's `Progress`, structurally). */
export interface RunProgressReport {
  phase: string;
  step?: number;
  maxSteps?: number;
  detail?: string;
}

export function toJobProgress(p: RunProgressReport): JobProgress {
  return {
    phase: p.phase,
    ...(p.step !== undefined ? { step: p.step } : {}),
    ...(p.maxSteps !== undefined ? { total: p.maxSteps } : {}),
    ...(p.detail ? { detail: p.detail.slice(0, 200) } : {}),
  };
}

/** "agent step 7 of 40", "baseline: npm test", "checkout". */
export function describeProgress(p: JobProgress): string {
  if (p.step !== undefined)
    return `${p.phase} step ${p.step}${p.total !== undefined ? ` of ${p.total}` : ''}`;
  return p.detail ? `${p.phase}: ${p.detail}` : p.phase;
}
