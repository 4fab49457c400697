/**
 * What a `github-fix` job carries: the run the intake lane asked for (events.ts writes it through
 * the dispatcher; the worker reads it back). The queue row is outside this process, so it is
 * checked again when read.
 */
import { z } from 'zod';
import { ConjectureError } from '../core/errors.ts';
import { issueTextSchema } from '../core/task.ts';
import type { JobRecord } from '../jobs/index.ts';

export const githubJobSpecSchema = z.object({
  owner: z.string().min(1),
  repo: z.string().min(1),
  number: z.number().int().positive(),
  installationId: z.number().int().positive(),
  cloneUrl: z.string().min(1),
  defaultBranch: z.string().min(1),
  triggeredBy: z.string(),
  triggeredByBot: z.boolean(),
  instructions: z.string(),
  issue: issueTextSchema,
  issueSha256: z.string(),
  /** Follow-up on an existing Conjecture PR: push to its branch. */
  pull: z
    .object({
      number: z.number().int().positive(),
      branch: z.string().min(1),
      /** `owner/name` of the repository holding the branch: the base, or the app's fork. */
      headRepo: z.string().min(1).optional(),
    })
    .optional(),
});
export type GitHubJobSpec = z.infer<typeof githubJobSpecSchema>;

export function specOf(job: JobRecord): GitHubJobSpec {
  const parsed = githubJobSpecSchema.safeParse(job.payload);
  if (parsed.success) return parsed.data;
  throw new ConjectureError(`job ${job.id} has an invalid GitHub job payload: ${parsed.error.message}`, {
    code: 'invalid_job_payload',
    hint: 'the job was written by an incompatible version; re-trigger it with `/conjecture retry`',
  });
}
