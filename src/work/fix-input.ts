/**
 * Turns the stored payload of an API `fix` job (ApiFixPayload) into what the pipeline runs: the
 * clone URL, the sanitized issue text and the host config with the job's options applied. The
 * payload was validated when it was submitted, but the queue row lives outside this process (and
 * may have been written by another version), so it is parsed again here.
 */
import type { Config } from '../config/schema.ts';
import { ConjectureError } from '../core/errors.ts';
import type { IssueText } from '../core/task.ts';
import { readIssueInput } from '../github/issue-input.ts';
import { sanitizeUntrustedText } from '../github/sanitize.ts';
import { type ApiFixPayload, apiFixPayloadSchema } from '../server/api-queue.ts';

export function parseFixPayload(jobId: string, payload: unknown): ApiFixPayload {
  const parsed = apiFixPayloadSchema.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw new ConjectureError(`job ${jobId} has an invalid fix payload: ${parsed.error.message}`, {
    code: 'invalid_job_payload',
    hint: 'the job was written by an incompatible version; submit it again with POST /api/v1/jobs',
  });
}

/**
 * `owner/name` means a repository on the configured GitHub: its web origin is derived from
 * `github.apiUrl` (api.github.com → github.com; GHES `https://HOST/api/v3` → `https://HOST`).
 */
export function cloneUrlOf(remote: string, apiUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) return remote;
  const api = new URL(apiUrl);
  const origin =
    api.hostname === 'api.github.com'
      ? 'https://github.com'
      : api.origin + api.pathname.replace(/\/api\/v3\/?$/, '');
  return `${origin.replace(/\/$/, '')}/${remote}.git`;
}

/** Issue text as given (sanitized), or read from GitHub for `{url}` and `{number}`. */
export async function resolveIssue(
  payload: ApiFixPayload,
  options: { apiUrl: string; token?: string; fetch?: typeof fetch },
): Promise<IssueText> {
  const issue = payload.issue;
  if ('title' in issue)
    return { title: sanitizeUntrustedText(issue.title), body: sanitizeUntrustedText(issue.body ?? '') };
  // readIssueInput reads OWNER/REPO/N from a github.com-shaped URL and asks `apiUrl`, so a GHES
  // URL is reshaped to that form; the API it asks is still the configured one.
  const ref = 'url' in issue ? /\/([\w.-]+)\/([\w.-]+)\/issues\/(\d+)$/.exec(issue.url)?.slice(1) : undefined;
  const slug = ref ? `${ref[0]}/${ref[1]}` : slugOf(payload.remote);
  const number = ref ? ref[2] : 'number' in issue ? String(issue.number) : undefined;
  if (!slug || !number)
    throw new ConjectureError('cannot tell which issue to read', {
      code: 'issue_unreadable',
      hint: 'send the issue text itself: "issue": {"title": "...", "body": "..."}',
    });
  return readIssueInput(`https://github.com/${slug}/issues/${number}`, { cwd: '/', ...options });
}

function slugOf(remote: string): string | undefined {
  if (/^[\w.-]+\/[\w.-]+$/.test(remote)) return remote;
  const match = /\/([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(remote);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/**
 * The job's options over the host config. They are the same knobs a repository's
 * `.github/conjecture.yml` may turn, and that file (applied after checkout) still has the last word.
 */
export function applyJobOptions(config: Config, options: ApiFixPayload['options']): Config {
  if (!options) return config;
  return {
    ...config,
    model: options.model ? { ...config.model, name: options.model } : config.model,
    agent: {
      ...config.agent,
      ...(options.stepLimit ? { stepLimit: options.stepLimit } : {}),
      ...(options.attempts ? { attempts: options.attempts } : {}),
    },
    validate: options.testCommand
      ? { ...config.validate, testCommand: options.testCommand }
      : config.validate,
  };
}
