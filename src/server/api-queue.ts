/**
 * What the REST API uses of the job queue (src/jobs), and how API requests become queue requests.
 * The API sees the queue only through this `Pick`, so it cannot consume work or touch deliveries.
 */
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { EnqueueRequest, JobQueue, JobRecord } from '../jobs/types.ts';
import { HttpError } from './http-io.ts';
import { type CreateJobRequest, issueInputSchema, jobOptionsSchema } from './schemas.ts';
import { readTraceFile } from './trace-file.ts';

export type ApiQueue = Pick<JobQueue, 'enqueue' | 'get' | 'list' | 'cancel' | 'stats'>;

/** The JSONL trace text of a job, or null when it has none (yet). */
export type TraceReader = (job: JobRecord) => Promise<string | null>;

/**
 * The payload of a `fix` job submitted through the API. The worker's fix handler (src/work) parses
 * it again; the issue is still untrusted text and goes through the sanitizer there.
 */
export const apiFixPayloadSchema = z.object({
  source: z.literal('api'),
  /** As submitted: OWNER/NAME or a clone URL. */
  remote: z.string().min(1),
  issue: issueInputSchema,
  instructions: z.string().optional(),
  commit: z.string().optional(),
  options: jobOptionsSchema.optional(),
});
export type ApiFixPayload = z.infer<typeof apiFixPayloadSchema>;

/**
 * API idempotency keys live in their own namespace, so a caller can neither collide with nor
 * probe the keys the webhook intake derives from deliveries; without a key every request is new.
 */
export function toEnqueueRequest(
  request: CreateJobRequest,
  options: { maxAttempts: number },
): EnqueueRequest {
  const payload: ApiFixPayload = {
    source: 'api',
    remote: request.repo,
    issue: request.issue,
    ...(request.instructions !== undefined ? { instructions: request.instructions } : {}),
    ...(request.commit !== undefined ? { commit: request.commit } : {}),
    ...(request.options !== undefined ? { options: request.options } : {}),
  };
  return {
    kind: 'fix',
    payload: payload as unknown as Record<string, unknown>,
    idempotencyKey: `api:${request.idempotencyKey ?? randomUUID()}`,
    priority: request.priority,
    repo: repoSlug(request.repo),
    maxAttempts: options.maxAttempts,
  };
}

/** `owner/name` for `owner/name` or a clone URL ending in `/owner/name(.git)`; the queue's limits key on it. */
export function repoSlug(repo: string): string {
  if (/^[\w.-]+\/[\w.-]+$/.test(repo)) return repo;
  let pathname = '';
  try {
    pathname = new URL(repo).pathname;
  } catch {
    // falls through to the 400 below
  }
  const match = /\/([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(pathname);
  if (!match)
    throw new HttpError(400, 'invalid_request', `cannot tell OWNER/NAME from ${repo}`, {
      hint: 'use a URL ending in /OWNER/NAME',
    });
  return `${match[1]}/${match[2]}`;
}

/** Reads `result.traceLocation` inside `root` (the state directory); see readTraceFile. */
export function createTraceReader(root: string): TraceReader {
  return async (job) => {
    const location = job.result?.traceLocation;
    return location ? readTraceFile(root, location) : null;
  };
}

/**
 * Reads the job's `patch.diff`, which the pipeline writes next to the trace
 * (`runs/<jobId>/`); the same containment rules as traces apply.
 */
export function createPatchReader(root: string): TraceReader {
  return async (job) => {
    const location = job.result?.traceLocation;
    return location ? readTraceFile(root, join(dirname(location), 'patch.diff')) : null;
  };
}
