/**
 * The REST API's bodies as zod schemas: requests are parsed with them, and the OpenAPI description
 * (`/api/v1/openapi.json`) is generated from the same objects, so the document cannot drift from
 * what the server accepts and sends.
 */
import { z } from 'zod';
import { jobErrorSchema, jobStateSchema } from '../jobs/types.ts';

export { jobStateSchema };

const repoPattern = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const issueUrlPattern = /^https?:\/\/[^\s/]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/issues\/\d+$/;

export const issueInputSchema = z.union([
  z
    .object({
      title: z.string().min(1).max(512),
      body: z.string().max(65_536).default(''),
    })
    .strict()
    .describe('the issue text itself'),
  z
    .object({ url: z.string().regex(issueUrlPattern, 'expected https://HOST/OWNER/REPO/issues/N') })
    .strict()
    .describe('an issue to read'),
  z.object({ number: z.number().int().positive() }).strict().describe('an issue of `repo` by number'),
]);

/** Per-job overrides; the same things a repository's `.github/conjecture.yml` may choose, no more. */
export const jobOptionsSchema = z
  .object({
    model: z.string().min(1).max(200),
    stepLimit: z.number().int().min(1).max(500),
    attempts: z.number().int().min(1).max(16),
    testCommand: z.string().min(1).max(2_000),
    draft: z.boolean(),
  })
  .partial()
  .strict();

export const createJobRequestSchema = z
  .object({
    repo: z
      .string()
      .min(1)
      .max(500)
      .refine(
        (r) => repoPattern.test(r) || /^https?:\/\/\S+$/.test(r),
        'expected OWNER/NAME or an http(s) clone URL',
      )
      .describe('OWNER/NAME on the configured GitHub, or a clone URL'),
    issue: issueInputSchema,
    instructions: z.string().max(4_000).optional().describe('extra instructions for the agent'),
    commit: z
      .string()
      .regex(/^[0-9a-f]{7,64}$/, 'expected a commit hash')
      .optional(),
    priority: z.number().int().min(-10).max(10).default(0).describe('higher runs first'),
    options: jobOptionsSchema.optional(),
    idempotencyKey: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'a repeated request with the same key returns the first job; the Idempotency-Key header works too',
      ),
  })
  .strict();

export type CreateJobRequest = z.infer<typeof createJobRequestSchema>;

export const listJobsQuerySchema = z
  .object({
    state: jobStateSchema.optional(),
    repo: z.string().min(1).max(500).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    before: z.string().min(1).max(200).optional().describe('a job id from the previous page'),
  })
  .strict();

export const jobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  state: jobStateSchema,
  repo: z.string(),
  issue: z
    .object({ title: z.string().optional(), number: z.number().int().optional(), url: z.string().optional() })
    .describe('what identifies the issue; the body is not echoed'),
  priority: z.number().int(),
  attempts: z.number().int().min(0),
  maxAttempts: z.number().int().min(1),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  progress: z
    .object({
      phase: z.string(),
      step: z.number().int().optional(),
      total: z.number().int().optional(),
      detail: z.string().optional(),
    })
    .nullable(),
  cancelRequested: z.boolean(),
  usage: z.object({ promptTokens: z.number(), completionTokens: z.number(), costUsd: z.number() }).nullable(),
  result: z
    .object({ exitStatus: z.string(), prUrl: z.string().optional(), detail: z.string().optional() })
    .nullable(),
  error: jobErrorSchema.nullable(),
  links: z.object({
    self: z.string(),
    trace: z.string().nullable(),
    patch: z.string().nullable(),
    cancel: z.string(),
  }),
});

export type JobView = z.infer<typeof jobSchema>;

export const jobListSchema = z.object({ jobs: z.array(jobSchema), nextBefore: z.string().nullable() });

export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export const readinessSchema = z.object({
  ready: z.boolean(),
  checks: z.array(
    z.object({
      name: z.string(),
      ok: z.boolean(),
      ms: z.number(),
      detail: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
});

/** Zod issues as `{path, message}` for a 400 answer. */
export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.join(', ')}` : i.message,
  }));
}
