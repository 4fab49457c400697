/**
 * `/api/v1/jobs…` handlers: parse with the zod schemas, call the queue, answer with `Job` views.
 * Outcomes the client caused (bad body, unknown id, cancelling a finished job) are HttpErrors with
 * a hint; anything else propagates to the server's 500 handler.
 */

import type { JobRecord } from '../jobs/types.ts';
import { type ApiQueue, type TraceReader, toEnqueueRequest } from './api-queue.ts';
import { HttpError, readJsonBody, sendJson, sendText } from './http-io.ts';
import type { RequestContext, Route } from './router.ts';
import { createJobRequestSchema, issuesOf, type JobView, listJobsQuerySchema } from './schemas.ts';

export const API_PREFIX = '/api/v1';

export function toJobView(job: JobRecord): JobView {
  const self = `${API_PREFIX}/jobs/${encodeURIComponent(job.id)}`;
  const result = job.result;
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    repo: job.repo,
    issue: issueRef(job.payload.issue),
    priority: job.priority,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    progress: job.progress ? { ...job.progress } : null,
    cancelRequested: job.cancel !== null,
    usage: result?.usage ? { ...result.usage, costUsd: result.costUsd ?? 0 } : null,
    result: result
      ? {
          exitStatus: result.exitStatus,
          ...(result.prUrl ? { prUrl: result.prUrl } : {}),
          ...(result.detail ? { detail: result.detail } : {}),
        }
      : null,
    error: job.error
      ? { code: job.error.code, message: job.error.message, retryable: job.error.retryable }
      : null,
    links: {
      self,
      trace: result?.traceLocation ? `${self}/trace` : null,
      patch: result?.traceLocation ? `${self}/patch` : null,
      cancel: `${self}/cancel`,
    },
  };
}

/** Payloads come from the API or the webhook intake; only well-typed identifying fields are shown. */
function issueRef(issue: unknown): JobView['issue'] {
  if (typeof issue !== 'object' || issue === null) return {};
  const { title, number, url } = issue as Record<string, unknown>;
  return {
    ...(typeof title === 'string' ? { title } : {}),
    ...(Number.isInteger(number) ? { number: number as number } : {}),
    ...(typeof url === 'string' ? { url } : {}),
  };
}

export interface JobRoutesOptions {
  queue: ApiQueue;
  /** Without it, every trace request is a 404. */
  readTrace?: TraceReader;
  /** The job's unified diff (`createPatchReader`); without it every patch request is a 404. */
  readPatch?: TraceReader;
  /** Renders JSONL trace text as Markdown; without it only JSONL is served. */
  renderTrace?: (jsonl: string) => string;
  /** For jobs submitted through the API (`queue.maxAttempts`). */
  maxAttempts: number;
}

export function createJobRoutes(options: JobRoutesOptions): Route[] {
  const { queue } = options;
  const mustGet = async (ctx: RequestContext): Promise<JobRecord> => {
    const job = await queue.get(ctx.params.id ?? '');
    if (!job)
      throw new HttpError(404, 'job_not_found', `no job ${ctx.params.id}`, {
        hint: 'list jobs with GET /api/v1/jobs',
      });
    return job;
  };

  return [
    {
      method: 'POST',
      pattern: `${API_PREFIX}/jobs`,
      auth: true,
      async handle(ctx) {
        const parsed = createJobRequestSchema.safeParse(await readJsonBody(ctx.req));
        if (!parsed.success)
          throw new HttpError(400, 'invalid_request', 'the body does not match CreateJobRequest', {
            issues: issuesOf(parsed.error),
            hint: 'see /api/v1/openapi.json',
          });
        const header = ctx.req.headers['idempotency-key'];
        const headerKey =
          typeof header === 'string' && header.trim() !== '' ? header.trim().slice(0, 200) : undefined;
        const idempotencyKey = parsed.data.idempotencyKey ?? headerKey;
        const request = { ...parsed.data, ...(idempotencyKey ? { idempotencyKey } : {}) };
        const { job, created } = await queue.enqueue(
          toEnqueueRequest(request, { maxAttempts: options.maxAttempts }),
        );
        const view = toJobView(job);
        sendJson(ctx.res, created ? 201 : 200, view, { location: view.links.self });
      },
    },
    {
      method: 'GET',
      pattern: `${API_PREFIX}/jobs`,
      auth: true,
      async handle(ctx) {
        const parsed = listJobsQuerySchema.safeParse(Object.fromEntries(ctx.query));
        if (!parsed.success)
          throw new HttpError(400, 'invalid_query', 'bad query parameters', {
            issues: issuesOf(parsed.error),
          });
        const page = await queue.list(parsed.data);
        sendJson(ctx.res, 200, { jobs: page.jobs.map(toJobView), nextBefore: page.nextBefore });
      },
    },
    {
      method: 'GET',
      pattern: `${API_PREFIX}/jobs/:id`,
      auth: true,
      handle: async (ctx) => sendJson(ctx.res, 200, toJobView(await mustGet(ctx))),
    },
    {
      method: 'GET',
      pattern: `${API_PREFIX}/jobs/:id/trace`,
      auth: true,
      async handle(ctx) {
        const job = await mustGet(ctx);
        const markdown = wantsMarkdown(ctx);
        if (markdown && !options.renderTrace)
          throw new HttpError(406, 'not_acceptable', 'this server renders no Markdown traces', {
            hint: 'ask for ?format=jsonl',
          });
        const text = options.readTrace ? await options.readTrace(job) : null;
        if (text === null)
          throw new HttpError(404, 'trace_not_found', `job ${job.id} has no trace (yet)`, {
            hint: job.finishedAt ? undefined : 'the trace is served once the job has ended',
          });
        if (markdown && options.renderTrace)
          sendText(ctx.res, 200, 'text/markdown; charset=utf-8', options.renderTrace(text));
        else sendText(ctx.res, 200, 'application/x-ndjson; charset=utf-8', text);
      },
    },
    {
      method: 'GET',
      pattern: `${API_PREFIX}/jobs/:id/patch`,
      auth: true,
      async handle(ctx) {
        const job = await mustGet(ctx);
        const text = options.readPatch ? await options.readPatch(job) : null;
        if (text === null)
          throw new HttpError(404, 'patch_not_found', `job ${job.id} has no patch (yet)`, {
            hint: job.finishedAt
              ? 'the run produced no artifacts'
              : 'the patch is served once the job has ended',
          });
        sendText(ctx.res, 200, 'text/x-diff; charset=utf-8', text);
      },
    },
    {
      method: 'POST',
      pattern: `${API_PREFIX}/jobs/:id/cancel`,
      auth: true,
      async handle(ctx) {
        const outcome = await queue.cancel(ctx.params.id ?? '', {
          by: 'api',
          reason: 'cancelled through the REST API',
        });
        if (outcome.kind === 'not_found')
          throw new HttpError(404, 'job_not_found', `no job ${ctx.params.id}`);
        if (outcome.kind === 'already_ended')
          throw new HttpError(
            409,
            'job_ended',
            `job ${outcome.job.id} already ended as ${outcome.job.state}`,
          );
        // `cancel_requested`: a running job; the worker's handler sees its signal and stops the container.
        sendJson(ctx.res, 202, toJobView(outcome.job));
      },
    },
  ];
}

function wantsMarkdown(ctx: RequestContext): boolean {
  const format = ctx.query.get('format');
  if (format === 'markdown') return true;
  if (format === 'jsonl') return false;
  if (format !== null)
    throw new HttpError(400, 'invalid_query', `unknown format ${format}`, { hint: 'use jsonl or markdown' });
  return /\btext\/markdown\b/.test(ctx.req.headers.accept ?? '');
}
