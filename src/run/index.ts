export { gatePatch, patchViolations } from './patch-gate.ts';
export { runFix } from './pipeline.ts';
export { applyToLocalCheckout, describeProgress, summaryJson, summaryLines } from './report.ts';
export { selectAttempt } from './select.ts';
export type * from './types.ts';
