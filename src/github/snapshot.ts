/**
 * The issue as the run will see it, frozen at trigger time (issue 4, item 4). Edits made after the
 * trigger cannot steer a running job, and the sha256 lets the PR body and trace name exactly what the
 * model read. Only comments by people with write access are kept: anyone can comment on a public
 * issue, and the comments go to the model. The issue body itself is kept whoever wrote it, because a
 * writer chose to run Conjecture on it. Everything is sanitized (hidden markup removed).
 */
import { createHash } from 'node:crypto';
import type { IssueText } from '../core/task.ts';
import { parseCommand } from './commands.ts';
import type { GitHubClient } from './octokit.ts';
import { collaboratorPermission, hasPermission, isBot, type Permission } from './permission.ts';
import { sanitizeUntrustedText } from './sanitize.ts';

export interface SnapshotOptions {
  owner: string;
  repo: string;
  issueNumber: number;
  minPermission: Permission;
  /** Comments created after this instant are left out (the trigger's time); default: now. */
  until?: Date;
  /** Most recent writer comments kept. */
  maxComments?: number;
  /** Title and body as the triggering webhook carried them; later edits are then ignored too. */
  atTrigger?: { title: string; body: string | null };
}

export interface IssueSnapshot {
  issue: IssueText;
  /** sha256 hex of the canonical JSON of `issue`. */
  sha256: string;
  /** Comments left out: by non-writers, bots, commands, or later than the trigger. */
  droppedComments: number;
  takenAt: string;
}

const PER_PAGE = 100;
const MAX_PAGES = 10;

export async function snapshotIssue(octokit: GitHubClient, options: SnapshotOptions): Promise<IssueSnapshot> {
  const { owner, repo, issueNumber } = options;
  const until = options.until ?? new Date();
  const { data: issue } = await octokit.rest.issues.get({ owner, repo, issue_number: issueNumber });
  const raw = await listComments(octokit, owner, repo, issueNumber);

  const permissions = new Map<string, Promise<Permission>>();
  const permissionOf = (login: string) => {
    const known = permissions.get(login);
    if (known) return known;
    const asked = collaboratorPermission(octokit, owner, repo, login);
    permissions.set(login, asked);
    return asked;
  };
  const kept: { author: string; body: string }[] = [];
  for (const c of raw) {
    const login = c.user?.login;
    if (!login || !c.body) continue;
    if (isBot({ login, type: c.user?.type ?? 'User' })) continue;
    if (new Date(c.created_at) > until) continue;
    // A trigger comment's instructions reach the run as the task's instructions, not twice.
    if (parseCommand(c.body).kind !== 'none') continue;
    if (!hasPermission(await permissionOf(login), options.minPermission)) continue;
    kept.push({ author: login, body: sanitizeUntrustedText(c.body, { maxChars: 5_000 }) });
  }
  const comments = kept.slice(-(options.maxComments ?? 30));

  const text: IssueText = {
    title: sanitizeUntrustedText(options.atTrigger?.title ?? issue.title, { maxChars: 300 }),
    body: sanitizeUntrustedText((options.atTrigger ? options.atTrigger.body : issue.body) ?? ''),
    number: issue.number,
    url: issue.html_url,
    comments,
  };
  return {
    issue: text,
    sha256: createHash('sha256').update(JSON.stringify(text)).digest('hex'),
    droppedComments: raw.length - comments.length,
    takenAt: new Date().toISOString(),
  };
}

async function listComments(octokit: GitHubClient, owner: string, repo: string, issueNumber: number) {
  const all = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: issueNumber,
      per_page: PER_PAGE,
      page,
    });
    all.push(...data);
    if (data.length < PER_PAGE) break;
  }
  return all;
}
