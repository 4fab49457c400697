// The job handlers, one per kind: each turns a claimed job into its outcome. The worker wiring in
// src/cli/compose registers them; the queue (src/jobs) knows nothing of what they do.
export { createEvalJobHandler } from './eval-job.ts';
export { createFixJobHandler, FIX_JOB_KIND, type FixJobDeps } from './fix-job.ts';
export { createGitHubFixHandler } from './github-fix-job.ts';
