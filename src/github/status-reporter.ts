/**
 * Keeps the status comment current. The comment is looked up once by its hidden marker (only among
 * bot comments, so a user who pastes the marker cannot make the app edit their comment), created when
 * missing, then edited in place. Updates are serialized so two quick updates cannot create two
 * comments, and agent-step updates are thinned: every edit is a write GitHub rate-limits.
 */
import type { Logger } from '../core/log.ts';
import type { GitHubClient } from './octokit.ts';
import { isTerminal, type RunStatus, renderStatusComment, STATUS_MARKER } from './status-comment.ts';

export interface StatusReporterOptions {
  owner: string;
  repo: string;
  issueNumber: number;
  jobId: string;
  /** The app's bot login (`<slug>[bot]`); without it any bot comment with the marker matches. */
  botLogin?: string;
  /** Updates that stay in the same state are skipped when the last edit is younger than this. */
  minIntervalMs?: number;
  secrets?: string[];
  logger?: Logger;
  now?: () => number;
}

export interface StatusReporter {
  /** Shows `status` unless it would move the comment backwards (a late progress report): dropped. */
  update(status: RunStatus): Promise<void>;
  /** The run was handed back to the queue (shutdown): "queued" again, the one way back. */
  requeued(): Promise<void>;
  /** The comment's id once it exists. */
  commentId(): number | null;
}

export function createStatusReporter(octokit: GitHubClient, options: StatusReporterOptions): StatusReporter {
  const { owner, repo, issueNumber } = options;
  const now = options.now ?? Date.now;
  const minInterval = options.minIntervalMs ?? 5_000;
  let id: number | null | undefined;
  let lastBody = '';
  let lastState = '';
  let lastAt = Number.NEGATIVE_INFINITY;
  let chain: Promise<void> = Promise.resolve();
  let reached: Position = [];
  let agentAt = { attempt: 1, step: 0 };

  async function write(status: RunStatus, force = false): Promise<void> {
    if (status.state === 'agent') agentAt = { attempt: status.attempt ?? 1, step: status.step };
    const position = positionOf(status, agentAt);
    if (!force && compare(position, reached) < 0) {
      options.logger?.debug({ state: status.state }, 'status update dropped: it would go backwards');
      return;
    }
    reached = position;
    const body = renderStatusComment({ status, jobId: options.jobId, secrets: options.secrets });
    if (body === lastBody) return;
    if (status.state === lastState && !isTerminal(status) && now() - lastAt < minInterval) return;
    if (id === undefined) id = await findStatusComment(octokit, options);
    if (id === null) {
      const { data } = await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: issueNumber,
        body,
      });
      id = data.id;
    } else {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body });
    }
    options.logger?.debug({ state: status.state, commentId: id }, 'status comment updated');
    lastBody = body;
    lastState = status.state;
    lastAt = now();
  }

  const enqueue = (status: RunStatus, force: boolean) => {
    const next = chain.then(() => write(status, force));
    // A failed update must not poison later ones; the caller still sees this one's error.
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    update: (status) => enqueue(status, false),
    requeued: () => enqueue({ state: 'queued' }, true),
    commentId: () => id ?? null,
  };
}

/** The newest status comment on the issue written by the app, or null. */
export async function findStatusComment(
  octokit: GitHubClient,
  options: { owner: string; repo: string; issueNumber: number; botLogin?: string },
): Promise<number | null> {
  let found: number | null = null;
  for (let page = 1; page <= 10; page++) {
    const { data } = await octokit.rest.issues.listComments({
      owner: options.owner,
      repo: options.repo,
      issue_number: options.issueNumber,
      per_page: 100,
      page,
    });
    for (const c of data) {
      const byApp = options.botLogin ? c.user?.login === options.botLogin : c.user?.type === 'Bot';
      if (byApp && c.body?.startsWith(STATUS_MARKER)) found = c.id;
    }
    if (data.length < 100) break;
  }
  return found;
}

/**
 * How far along a status is, compared lexicographically: queued < preparing < (attempt, agent step,
 * agent-then-validating) < an end. A feedback round goes from validating to a later agent step, and
 * the next attempt to a higher attempt, so both move forward; a stale report does not (issue 14).
 */
type Position = number[];

function positionOf(status: RunStatus, agentAt: { attempt: number; step: number }): Position {
  switch (status.state) {
    case 'queued':
      return [0];
    case 'preparing':
      return [1];
    case 'agent':
      return [2, status.attempt ?? 1, status.step, 0];
    case 'validating':
      return [2, agentAt.attempt, agentAt.step, 1];
    default:
      return [3];
  }
}

function compare(a: Position, b: Position): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
