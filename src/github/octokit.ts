/**
 * The one Octokit factory for the worker and the CLI: REST methods plus the throttling and retry
 * plugins, so the app follows GitHub's rate-limit rules (issue 4, item 6) instead of discovering them:
 * writes are spaced (GitHub asks for ≥ 1 s between mutating requests per token, 3 s for requests that
 * notify people), a secondary limit waits the `retry-after` it names, a primary limit waits until
 * `x-ratelimit-reset`, and 5xx answers are retried with backoff. Waits longer than `maxWaitSeconds`
 * are not slept through: the request fails and the job queue retries the job later.
 */
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import type { Logger } from '../core/log.ts';

const ThrottledOctokit = Octokit.plugin(throttling, retry);

/** What the github/ functions need; a Probot `context.octokit` satisfies it too. */
export type GitHubClient = Pick<Octokit, 'rest' | 'request'>;

export interface CreateOctokitOptions {
  /** Installation token (or any token GitHub accepts); omitted for unauthenticated calls. */
  auth?: string;
  /** REST base URL; `config.github.apiUrl`, or the stand-in's URL in tests. */
  baseUrl?: string;
  logger: Logger;
  /** Key writes are spaced by; use the installation id so one installation's writes queue together. */
  throttleId?: string;
  /** Retries after a rate limit or a 5xx answer. */
  maxRetries?: number;
  /** A limit that asks for a longer wait than this fails the request instead. */
  maxWaitSeconds?: number;
  /** Milliseconds per second of `retry-after` and of backoff; tests make time pass faster. */
  msPerSecond?: number;
  /** Spacing between writes, and between writes that notify people; GitHub's guidance by default. */
  spacing?: { writeMs: number; notificationMs: number };
}

const groupsBySpacing = new Map<string, { write: Bottleneck.Group; notifications: Bottleneck.Group }>();

// Groups are shared per spacing so that every client in the process keyed by the same installation
// waits in one queue, as GitHub counts per token, not per client object.
function spacingGroups(spacing: { writeMs: number; notificationMs: number }) {
  const key = `${spacing.writeMs}/${spacing.notificationMs}`;
  let groups = groupsBySpacing.get(key);
  if (!groups) {
    groups = {
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: spacing.writeMs }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: spacing.notificationMs }),
    };
    groupsBySpacing.set(key, groups);
  }
  return groups;
}

export function createOctokit(options: CreateOctokitOptions): Octokit {
  const log = options.logger.child({ component: 'github' });
  const maxRetries = options.maxRetries ?? 3;
  const maxWait = options.maxWaitSeconds ?? 300;
  const msPerSecond = options.msPerSecond ?? 1000;
  const onLimit =
    (kind: 'rate' | 'secondary') =>
    (retryAfter: number, request: { method: string; url: string }, _o: unknown, retryCount: number) => {
      const wanted = retryCount < maxRetries && retryAfter <= maxWait;
      log.warn(
        { kind, retryAfter, retryCount, method: request.method, url: request.url, retrying: wanted },
        wanted
          ? 'GitHub rate limit; waiting before retrying'
          : 'GitHub rate limit; giving up on this request',
      );
      return wanted;
    };
  return new ThrottledOctokit({
    auth: options.auth,
    baseUrl: options.baseUrl,
    userAgent: 'conjecture',
    log: {
      debug: (msg: string) => log.debug(msg),
      info: (msg: string) => log.debug(msg),
      warn: (msg: string) => log.warn(msg),
      error: (msg: string) => log.error(msg),
    },
    throttle: {
      id: options.throttleId ?? 'conjecture',
      retryAfterBaseValue: msPerSecond,
      onRateLimit: onLimit('rate'),
      onSecondaryRateLimit: onLimit('secondary'),
      ...(options.spacing ? spacingGroups(options.spacing) : {}),
    },
    // 403/429 belong to the throttling plugin, which reads `retry-after`; the retry plugin's own
    // backoff would ignore it.
    retry: {
      retries: maxRetries,
      retryAfterBaseValue: msPerSecond,
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
  });
}

/** The HTTP status of a failed Octokit request, or undefined for any other error. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('status' in err)) return undefined;
  return typeof err.status === 'number' ? err.status : undefined;
}
