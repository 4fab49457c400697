/**
 * The intake lane's handler: acts on a stored delivery (intake.ts) after GitHub has its 200. Checks
 * the sender's permission and rate limits, reacts, answers commands, snapshots the issue as it was
 * when the trigger arrived, and puts the run in the work queue. Deliveries of one repository come
 * here one at a time, in order, so "one run per issue" is a look-then-enqueue without a race.
 */
import type { Config } from '../config/schema.ts';
import { ConjectureError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { checkSenderPermission, type GitHubClient, snapshotIssue } from '../github/index.ts';
import { describeProgress, type JobHandler, type JobRecord, type RateLimiter } from '../jobs/index.ts';
import type { Dispatcher, IssueKey } from './dispatcher.ts';
import { type GitHubJobSpec, specOf } from './github-job-spec.ts';
import { type StoredEvent, storedEventSchema } from './stored-event.ts';

export const HELP = [
  'Conjecture commands (writers of this repository only):',
  '',
  '- `/conjecture fix [extra instructions]`: try to fix this issue and open a draft pull request',
  '- `/conjecture cancel`: stop the run in progress',
  '- `/conjecture retry`: run again with the same request',
  '- `/conjecture status`: where the current run is',
  '- `/conjecture help`: this list',
  '',
  'Adding the trigger label to an issue starts a run too. On a Conjecture pull request, `/conjecture fix <what to change>` updates the same branch.',
].join('\n');

export interface EventDeps {
  config: Config;
  logger: Logger;
  dispatcher: Dispatcher;
  rateLimiter: RateLimiter;
  octokitFor(installationId: number): Promise<GitHubClient>;
  /** Counts refusal replies sent and withheld (`/metrics`). */
  onRefusalReply?(outcome: 'sent' | 'silenced'): void;
}

export function createGitHubEventHandler(deps: EventDeps): JobHandler {
  return async (job) => {
    const parsed = storedEventSchema.safeParse(job.payload);
    if (!parsed.success)
      throw new ConjectureError(`delivery ${job.id} was stored in a form this version cannot read`, {
        code: 'invalid_job_payload',
        hint: 'redeliver the webhook from the app settings page, or trigger again on the issue',
      });
    const outcome = await handleEvent(deps, parsed.data);
    return { exitStatus: outcome };
  };
}

/** What became of the delivery, for the job history (`ran`, `refused`, `answered`, …). */
async function handleEvent(deps: EventDeps, event: StoredEvent): Promise<string> {
  const { config, dispatcher } = deps;
  const { facts, decision } = event;
  const log = deps.logger.child({ deliveryId: event.deliveryId });
  const octokit = await deps.octokitFor(event.installationId);
  const key: IssueKey = { owner: facts.owner, repo: facts.repo, number: facts.number };
  const reply = (body: string) =>
    octokit.rest.issues.createComment({ owner: key.owner, repo: key.repo, issue_number: key.number, body });
  const answer = async (body: string) => {
    await reply(body);
    return 'answered';
  };

  // Every command, help included, is for writers: anyone else gets one refusal an hour at most.
  const permission = await checkSenderPermission(octokit, {
    owner: key.owner,
    repo: key.repo,
    sender: facts.sender,
    minPermission: config.github.minPermission,
    allowBots: config.github.allowBots,
  });
  if (!permission.allowed) {
    const who = { sender: facts.sender.login, permission: permission.permission };
    const mayReply = await deps.rateLimiter.takeReply({
      repo: `${key.owner}/${key.repo}`,
      user: facts.sender.login,
    });
    deps.onRefusalReply?.(mayReply ? 'sent' : 'silenced');
    if (!mayReply) {
      log.info(who, 'trigger refused; not replying (this sender was answered within the hour)');
      return 'refused_silently';
    }
    log.info(who, 'trigger refused');
    await reply(permission.message);
    return 'refused';
  }

  if (decision.kind === 'help') return answer(HELP);
  if (decision.kind === 'unknown_command')
    return answer(`Unknown command \`${decision.word.replace(/`/g, '')}\`.\n\n${HELP}`);

  if (decision.kind === 'status') {
    const job = (await dispatcher.active(key)) ?? (await dispatcher.last(key));
    await reply(job ? statusLine(job) : 'No Conjecture run for this issue yet.');
    return 'answered';
  }
  if (decision.kind === 'cancel') {
    const job = await dispatcher.cancel(key, facts.sender.login);
    if (!job) await reply('There is no run in progress to cancel.');
    // A queued job never reaches a worker, so its cancel is reported here; a running one reports it itself.
    else if (job.state === 'cancelled')
      await reply(`Run \`${job.id}\` cancelled by @${facts.sender.login} before it started.`);
    return 'cancelled';
  }

  const running = await dispatcher.active(key);
  if (running) {
    await reply(
      `A Conjecture run is already in progress for this issue (\`${running.id}\`); use \`/conjecture cancel\` to stop it.`,
    );
    return 'busy';
  }
  const rate = await deps.rateLimiter.take({
    installationId: event.installationId,
    user: facts.sender.login,
  });
  if (!rate.allowed) {
    const minutes = Math.max(1, Math.ceil(rate.retryAfterMs / 60_000));
    const who = rate.limitedBy === 'user' ? `@${facts.sender.login} has` : 'this installation has';
    await reply(`${who} started as many Conjecture runs as allowed this hour; try again in ${minutes} min.`);
    return 'rate_limited';
  }

  if (decision.kind === 'retry') {
    const previous = await dispatcher.last(key);
    if (!previous) return answer('There is nothing to retry yet; use `/conjecture fix`.');
    await react(octokit, facts);
    return submit({ ...specOf(previous), triggeredBy: facts.sender.login });
  }

  await react(octokit, facts);
  const pull = decision.via === 'followup' ? await conjecturePull(octokit, key) : undefined;
  if (decision.via === 'followup' && !pull) {
    await reply('`/conjecture fix` on a pull request works only on pull requests Conjecture opened.');
    return 'refused';
  }
  // The issue as it stood when the trigger arrived: later comments are not part of the request. A
  // follow-up works from the issue the pull request fixes, not from the PR's generated body.
  const snapshot = await snapshotIssue(octokit, {
    owner: key.owner,
    repo: key.repo,
    issueNumber: pull?.issueNumber ?? key.number,
    minPermission: config.github.minPermission,
    until: new Date(event.receivedAt),
    atTrigger: pull?.issueNumber ? undefined : event.issue,
  });
  return submit({
    owner: key.owner,
    repo: key.repo,
    number: key.number,
    installationId: event.installationId,
    cloneUrl: event.cloneUrl,
    defaultBranch: event.defaultBranch,
    triggeredBy: facts.sender.login,
    triggeredByBot: facts.sender.type === 'Bot',
    instructions: decision.instructions,
    issue: { ...snapshot.issue, number: pull?.issueNumber ?? key.number },
    issueSha256: snapshot.sha256,
    pull: pull && { number: pull.number, branch: pull.branch, headRepo: pull.headRepo },
  });

  async function submit(spec: GitHubJobSpec): Promise<string> {
    const { job } = await dispatcher.submit(key, spec, event.deliveryId);
    log.info({ jobId: job.id }, 'run queued');
    return 'queued';
  }
}

function statusLine(job: JobRecord): string {
  const where = job.state === 'running' && job.progress ? `: ${describeProgress(job.progress)}` : '';
  return `Run \`${job.id}\`: ${job.state}${where}.`;
}

async function react(octokit: GitHubClient, facts: StoredEvent['facts']): Promise<void> {
  const base = { owner: facts.owner, repo: facts.repo, content: 'eyes' as const };
  if (facts.event === 'issue_comment' && facts.comment)
    await octokit.rest.reactions.createForIssueComment({ ...base, comment_id: facts.comment.id });
  else if (facts.event === 'pull_request_review_comment' && facts.comment)
    await octokit.rest.reactions.createForPullRequestReviewComment({ ...base, comment_id: facts.comment.id });
  else if (facts.event === 'issues')
    await octokit.rest.reactions.createForIssue({ ...base, issue_number: facts.number });
}

/**
 * The branch of a PR Conjecture opened (its head starts with `conjecture/`) and the issue it fixes,
 * read from the branch name `conjecture/issue-<n>-<job>` when it has that form.
 */
async function conjecturePull(
  octokit: GitHubClient,
  key: IssueKey,
): Promise<{ number: number; branch: string; headRepo?: string; issueNumber?: number } | undefined> {
  const { data } = await octokit.rest.pulls.get({
    owner: key.owner,
    repo: key.repo,
    pull_number: key.number,
  });
  const branch = data.head.ref;
  if (!branch.startsWith('conjecture/')) return undefined;
  const issue = /^conjecture\/issue-(\d+)-/.exec(branch)?.[1];
  return {
    number: key.number,
    branch,
    headRepo: data.head.repo?.full_name,
    issueNumber: issue ? Number(issue) : undefined,
  };
}
