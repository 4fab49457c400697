/**
 * What a signed webhook body must hold before the app acts on it (issue 14). A valid signature
 * proves who sent the bytes, not that they are a payload this app can read: a repository or
 * organisation webhook sends the same events without `installation`, and a sender holding the secret
 * can sign `null`. Checked once, before Probot sees the body, so an odd delivery is a 400 in the
 * API's error shape or an acknowledged-and-ignored 200 — never a 500 from a handler reading a field
 * that is not there.
 */
import { z } from 'zod';

/** The deliveries the app subscribes to (src/app/intake.ts); every other event is acknowledged untouched. */
export const HANDLED_DELIVERIES = [
  'issues.labeled',
  'issue_comment.created',
  'pull_request_review_comment.created',
] as const;

const issueSchema = z.object({
  number: z.number().int().positive(),
  title: z.string().nullish(),
  body: z.string().nullish(),
  pull_request: z.unknown().optional(),
});

/** The fields src/app/intake.ts reads, and nothing more: GitHub adds fields freely. */
export const deliveryPayloadSchema = z.object({
  action: z.string(),
  sender: z.object({ login: z.string().min(1), type: z.string() }),
  repository: z.object({
    name: z.string().min(1),
    owner: z.object({ login: z.string().min(1) }),
    clone_url: z.string().min(1),
    default_branch: z.string().min(1).nullish(),
  }),
  issue: issueSchema.optional(),
  pull_request: issueSchema.optional(),
  label: z.object({ name: z.string() }).nullish(),
  comment: z.object({ id: z.number().int(), body: z.string().nullish() }).optional(),
  installation: z.object({ id: z.number().int().positive() }).nullish(),
});

export type DeliveryPayload = z.infer<typeof deliveryPayloadSchema>;

export type PayloadCheck =
  /** One of HANDLED_DELIVERIES with every field the app reads, from an installation of the app. */
  | { kind: 'handle'; payload: DeliveryPayload & { installation: { id: number } } }
  /** An event the app does not act on: acknowledge it and do nothing. */
  | { kind: 'pass' }
  /** Readable, but not for this app (e.g. no installation): acknowledge it, log why, do nothing. */
  | { kind: 'ignore'; why: string }
  /** Not a payload at all, or one missing fields the app reads: refuse it (400). */
  | { kind: 'invalid'; code: string; message: string; issues?: { path: string; message: string }[] };

/** Classifies a signed body for the `x-github-event` it came with. */
export function checkWebhookPayload(event: string, raw: string): PayloadCheck {
  if (raw.trim() === '') return { kind: 'invalid', code: 'empty_body', message: 'the webhook body is empty' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return {
      kind: 'invalid',
      code: 'invalid_json',
      message: `the webhook body is not valid JSON: ${(err as Error).message}`,
    };
  }
  return checkParsedPayload(event, parsed);
}

/** The same check on a body already parsed (e.g. Probot's `context.payload`). */
export function checkParsedPayload(event: string, parsed: unknown): PayloadCheck {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { kind: 'invalid', code: 'invalid_payload', message: 'the webhook body is not a JSON object' };
  const action = (parsed as { action?: unknown }).action;
  if (!(HANDLED_DELIVERIES as readonly string[]).includes(`${event}.${String(action)}`))
    return { kind: 'pass' };
  const result = deliveryPayloadSchema.safeParse(parsed);
  const issues = result.success
    ? []
    : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const { issue, pull_request } = parsed as { issue?: unknown; pull_request?: unknown };
  if (issue === undefined && pull_request === undefined)
    issues.push({ path: 'issue', message: 'expected an issue or a pull_request' });
  if (!result.success || issues.length > 0)
    return {
      kind: 'invalid',
      code: 'invalid_payload',
      message: `the ${event}.${String(action)} payload lacks fields the app reads`,
      issues,
    };
  const payload = result.data;
  if (!payload.installation)
    return {
      kind: 'ignore',
      why: 'no installation in the payload: a repository or organisation webhook, not the GitHub App, sent it',
    };
  return { kind: 'handle', payload: { ...payload, installation: payload.installation } };
}
