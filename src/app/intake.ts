/**
 * The Probot app: turns a verified webhook into a stored delivery and nothing else. Deciding what a
 * delivery asks for is pure (triggers.ts); everything that talks to GitHub — the permission check,
 * the 👀, replies, the issue snapshot — happens after the acknowledgement, in the intake lane
 * (events.ts). So GitHub's 200 means "stored durably" and arrives in milliseconds.
 */
import type { ApplicationFunction, Context } from 'probot';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../core/log.ts';
import { checkParsedPayload, type DeliveryPayload } from '../github/webhook-payload.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { StoredEvent } from './stored-event.ts';
import { decide, type EventFacts } from './triggers.ts';

export const GITHUB_EVENT_KIND = 'github-event';

export interface IntakeOptions {
  config: Config;
  logger: Logger;
  /** The intake lane (`openJobQueue(…, { lane: 'intake' })`). */
  intake: JobQueue;
  /** What became of each delivery (for the intake latency metric). */
  onOutcome?(deliveryId: string, outcome: IntakeOutcome): void;
}

export type IntakeOutcome = 'accepted' | 'duplicate' | 'ignored';

type AnyContext = Context<'issues.labeled' | 'issue_comment.created' | 'pull_request_review_comment.created'>;

export function createConjectureApp(options: IntakeOptions): ApplicationFunction {
  return (app) => {
    app.on(
      ['issues.labeled', 'issue_comment.created', 'pull_request_review_comment.created'],
      async (context) => {
        // A failure is not acknowledged (500), so GitHub's 200 always means the delivery is stored.
        await storeDelivery(context as AnyContext, options).catch((err) => {
          options.logger.error({ err, deliveryId: context.id }, 'webhook intake failed');
          throw err;
        });
      },
    );
  };
}

export function factsOf(payload: DeliveryPayload, event: string): EventFacts {
  const issue = (payload.issue ?? payload.pull_request) as NonNullable<DeliveryPayload['issue']>;
  return {
    event: event as EventFacts['event'],
    action: payload.action,
    sender: { login: payload.sender.login, type: payload.sender.type },
    owner: payload.repository.owner.login,
    repo: payload.repository.name,
    number: issue.number,
    isPullRequest: Boolean(payload.pull_request || issue.pull_request),
    labelName: payload.label?.name,
    comment: payload.comment ? { id: payload.comment.id, body: payload.comment.body ?? '' } : undefined,
  };
}

async function storeDelivery(context: AnyContext, options: IntakeOptions): Promise<void> {
  const log = options.logger.child({ deliveryId: context.id });
  // The webhook endpoint refused unreadable payloads already; this keeps the handler total when
  // the Probot app is mounted some other way.
  const checked = checkParsedPayload(context.name, context.payload);
  if (checked.kind !== 'handle') {
    log.warn({ event: context.name, check: checked.kind }, 'delivery ignored: not a payload the app reads');
    return options.onOutcome?.(context.id, 'ignored');
  }
  const p = checked.payload;
  const facts = factsOf(p, context.name);
  const decision = decide(facts, options.config.github);
  if (decision.kind === 'ignore' || decision.kind === 'refuse_bot') {
    if (decision.kind === 'refuse_bot') log.info({ sender: facts.sender.login }, decision.why);
    return options.onOutcome?.(context.id, 'ignored');
  }
  const event: StoredEvent = {
    deliveryId: context.id,
    receivedAt: new Date().toISOString(),
    facts,
    decision,
    installationId: p.installation.id,
    cloneUrl: p.repository.clone_url,
    defaultBranch: p.repository.default_branch ?? 'main',
    issue: {
      title: (p.issue ?? p.pull_request)?.title ?? '',
      body: (p.issue ?? p.pull_request)?.body ?? null,
    },
  };
  // The delivery id is the idempotency key: a redelivery (GitHub's, or the sender's retry after a
  // crash) finds the stored event and adds nothing.
  const { created } = await options.intake.enqueue({
    kind: GITHUB_EVENT_KIND,
    payload: { ...event },
    idempotencyKey: `delivery:${context.id}`,
    repo: `${facts.owner}/${facts.repo}`,
    installationId: event.installationId,
    maxAttempts: 5,
  });
  log.info({ decision: decision.kind, created }, created ? 'delivery stored' : 'redelivery ignored');
  options.onOutcome?.(context.id, created ? 'accepted' : 'duplicate');
}
