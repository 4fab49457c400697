/**
 * The Probot app: turns webhooks into runs. Handlers stay fast — they check, acknowledge and hand
 * the job to the dispatcher; nothing slow happens before GitHub gets its 200.
 */
import type { ApplicationFunction, Context } from 'probot';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../core/log.ts';
import { checkSenderPermission, type GitHubClient, snapshotIssue } from '../github/index.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { GitHubJobSpec } from './github-job.ts';
import { specOf } from './queue-dispatcher.ts';
import { decide, type EventFacts } from './triggers.ts';

const HELP = [
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

export interface AppOptions {
  config: Config;
  logger: Logger;
  dispatcher: Dispatcher;
}

/** Webhook payloads as the examples and GitHub send them; Probot has verified the delivery. */
// biome-ignore lint/suspicious/noExplicitAny: payload fields are read defensively below
type WebhookPayload = Record<string, any>;

type AnyContext = Context<'issues.labeled' | 'issue_comment.created' | 'pull_request_review_comment.created'>;

export function createConjectureApp(options: AppOptions): ApplicationFunction {
  return (app) => {
    app.on(
      ['issues.labeled', 'issue_comment.created', 'pull_request_review_comment.created'],
      async (context) => {
        // A failure is not acknowledged (500): GitHub's 200 must mean the job is in the queue.
        await handle(context as AnyContext, options).catch((err) => {
          options.logger.error({ err, deliveryId: context.id }, 'webhook handling failed');
          throw err;
        });
      },
    );
  };
}

function factsOf(context: AnyContext): EventFacts {
  const p = context.payload as unknown as WebhookPayload;
  const issue = p.issue ?? p.pull_request;
  return {
    event: context.name as EventFacts['event'],
    action: p.action,
    sender: { login: p.sender.login, type: p.sender.type },
    owner: p.repository.owner.login,
    repo: p.repository.name,
    number: issue.number,
    isPullRequest: Boolean(p.pull_request || issue.pull_request),
    labelName: p.label?.name,
    comment: p.comment ? { id: p.comment.id, body: p.comment.body ?? '' } : undefined,
  };
}

async function handle(context: AnyContext, options: AppOptions): Promise<void> {
  const { config, dispatcher } = options;
  const log = options.logger.child({ deliveryId: context.id });
  const facts = factsOf(context);
  const decision = decide(facts, config.github);
  if (decision.kind === 'ignore') return;
  // A job's idempotency key is its delivery id, so a delivery that may enqueue is checked against the
  // queue instead of being recorded first: recording before the enqueue would lose the job if the
  // process died in between and GitHub delivered again.
  const enqueues = decision.kind === 'run' || decision.kind === 'retry';
  const seen = enqueues
    ? Boolean(await dispatcher.accepted(context.id))
    : !(await dispatcher.recordDelivery(context.id));
  if (seen) {
    log.info('redelivered webhook ignored');
    return;
  }
  if (decision.kind === 'refuse_bot') {
    log.info({ sender: facts.sender.login }, decision.why);
    return;
  }
  const octokit = context.octokit as unknown as GitHubClient;
  const key = { owner: facts.owner, repo: facts.repo, number: facts.number };
  const reply = (body: string) =>
    octokit.rest.issues.createComment({ owner: key.owner, repo: key.repo, issue_number: key.number, body });

  if (decision.kind === 'help') return void (await reply(HELP));
  if (decision.kind === 'unknown_command')
    return void (await reply(`Unknown command \`${decision.word.replace(/`/g, '')}\`.\n\n${HELP}`));

  const permission = await checkSenderPermission(octokit, {
    owner: key.owner,
    repo: key.repo,
    sender: facts.sender,
    minPermission: config.github.minPermission,
    allowBots: config.github.allowBots,
  });
  if (!permission.allowed) {
    log.info({ sender: facts.sender.login, permission: permission.permission }, 'trigger refused');
    await reply(permission.message);
    return;
  }

  if (decision.kind === 'status') {
    const job = (await dispatcher.active(key)) ?? (await dispatcher.last(key));
    return void (await reply(
      job ? `Run \`${job.id}\`: ${job.state}.` : 'No Conjecture run for this issue yet.',
    ));
  }
  if (decision.kind === 'cancel') {
    const job = await dispatcher.cancel(key, facts.sender.login);
    if (!job) await reply('There is no run in progress to cancel.');
    // A queued job never reaches a worker, so its cancel is reported here; a running one reports it itself.
    else if (job.state === 'cancelled')
      await reply(`Run \`${job.id}\` cancelled by @${facts.sender.login} before it started.`);
    return;
  }
  if (decision.kind === 'retry') {
    const previous = await dispatcher.last(key);
    if (!previous) return void (await reply('There is nothing to retry yet; use `/conjecture fix`.'));
    return submit(specOf(previous));
  }

  // decision.kind === 'run'
  await react(octokit, context, facts);
  const p = context.payload as unknown as WebhookPayload;
  const snapshot = await snapshotIssue(octokit, {
    owner: key.owner,
    repo: key.repo,
    issueNumber: key.number,
    minPermission: config.github.minPermission,
    until: new Date(),
  });
  const pull = decision.via === 'followup' ? await conjecturePull(octokit, key) : undefined;
  if (decision.via === 'followup' && !pull)
    return void (await reply(
      '`/conjecture fix` on a pull request works only on pull requests Conjecture opened.',
    ));
  return submit({
    owner: key.owner,
    repo: key.repo,
    number: key.number,
    installationId: p.installation.id,
    cloneUrl: p.repository.clone_url,
    defaultBranch: p.repository.default_branch ?? 'main',
    triggeredBy: facts.sender.login,
    triggeredByBot: facts.sender.type === 'Bot',
    instructions: decision.instructions,
    issue: { ...snapshot.issue, number: key.number },
    issueSha256: snapshot.sha256,
    pull,
  });

  async function submit(spec: GitHubJobSpec): Promise<void> {
    const { job, started } = await dispatcher.submit(key, spec, context.id);
    if (!started)
      await reply(
        `A Conjecture run is already in progress for this issue (\`${job.id}\`); use \`/conjecture cancel\` to stop it.`,
      );
    else log.info({ jobId: job.id }, 'run queued');
  }
}

async function react(octokit: GitHubClient, context: AnyContext, facts: EventFacts): Promise<void> {
  const base = { owner: facts.owner, repo: facts.repo, content: 'eyes' as const };
  if (facts.event === 'issue_comment' && facts.comment)
    await octokit.rest.reactions.createForIssueComment({ ...base, comment_id: facts.comment.id });
  else if (facts.event === 'issues')
    await octokit.rest.reactions.createForIssue({ ...base, issue_number: facts.number });
  void context;
}

/** The branch of a PR Conjecture opened (its head starts with `conjecture/`). */
async function conjecturePull(
  octokit: GitHubClient,
  key: { owner: string; repo: string; number: number },
): Promise<{ number: number; branch: string } | undefined> {
  const { data } = await octokit.rest.pulls.get({
    owner: key.owner,
    repo: key.repo,
    pull_number: key.number,
  });
  return data.head.ref.startsWith('conjecture/') ? { number: key.number, branch: data.head.ref } : undefined;
}
