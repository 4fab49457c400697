/**
 * Turns a webhook into what to do: run, cancel, retry, answer, or nothing. Pure: the permission
 * check and everything with side effects happen in the handler. A refused trigger gets one short
 * reply; noise (other labels, ordinary comments, our own comments) gets nothing.
 */
import { z } from 'zod';
import type { Config } from '../config/schema.ts';
import { parseCommand } from '../github/commands.ts';
import { senderSchema } from '../github/permission.ts';

/** What a delivery is about, read from its payload (intake.ts) and stored with it. */
export const eventFactsSchema = z.object({
  event: z.enum(['issues', 'issue_comment', 'pull_request_review_comment']),
  action: z.string(),
  sender: senderSchema,
  owner: z.string().min(1),
  repo: z.string().min(1),
  /** Issue or pull request number the event is about. */
  number: z.number().int().positive(),
  isPullRequest: z.boolean(),
  labelName: z.string().optional(),
  comment: z.object({ id: z.number().int(), body: z.string() }).optional(),
});
export type EventFacts = z.infer<typeof eventFactsSchema>;

/** The decisions the intake lane acts on; only these are stored (the others end at the webhook). */
export const actionableDecisionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('run'),
    via: z.enum(['label', 'comment', 'followup']),
    instructions: z.string(),
  }),
  z.object({ kind: z.literal('cancel') }),
  z.object({ kind: z.literal('retry') }),
  z.object({ kind: z.literal('status') }),
  z.object({ kind: z.literal('help') }),
  z.object({ kind: z.literal('unknown_command'), word: z.string() }),
]);
export type ActionableDecision = z.infer<typeof actionableDecisionSchema>;

export type Decision =
  | { kind: 'ignore'; why: string }
  | { kind: 'refuse_bot'; why: string }
  | ActionableDecision;

export function decide(facts: EventFacts, settings: Config['github']): Decision {
  const isBot = facts.sender.type === 'Bot' || facts.sender.login.endsWith('[bot]');
  if (facts.event === 'issues') {
    if (facts.action !== 'labeled' || facts.labelName !== settings.triggerLabel)
      return { kind: 'ignore', why: 'not the trigger label' };
    if (facts.isPullRequest) return { kind: 'ignore', why: 'label on a pull request' };
    if (isBot && !settings.allowBots.includes(facts.sender.login))
      return { kind: 'refuse_bot', why: `bot ${facts.sender.login} is not allow-listed` };
    return { kind: 'run', via: 'label', instructions: '' };
  }
  if (facts.action !== 'created' || !facts.comment) return { kind: 'ignore', why: 'not a new comment' };
  const parsed = parseCommand(facts.comment.body);
  if (parsed.kind === 'none') return { kind: 'ignore', why: 'no command' };
  // Bots, including this app, never trigger runs: that is how loops and injected commands are stopped.
  if (isBot && !settings.allowBots.includes(facts.sender.login))
    return { kind: 'refuse_bot', why: `bot ${facts.sender.login} is not allow-listed` };
  if (parsed.kind === 'unknown') return { kind: 'unknown_command', word: parsed.word };
  const { verb, args } = parsed.command;
  if (verb === 'fix')
    return { kind: 'run', via: facts.isPullRequest ? 'followup' : 'comment', instructions: args };
  return { kind: verb };
}
