/**
 * Turns a webhook into what to do: run, cancel, retry, answer, or nothing. Pure: the permission
 * check and everything with side effects happen in the handler. A refused trigger gets one short
 * reply; noise (other labels, ordinary comments, our own comments) gets nothing.
 */
import type { Config } from '../config/schema.ts';
import { parseCommand } from '../github/commands.ts';

export interface Sender {
  login: string;
  type: string;
}

export interface EventFacts {
  event: 'issues' | 'issue_comment' | 'pull_request_review_comment';
  action: string;
  sender: Sender;
  owner: string;
  repo: string;
  /** Issue or pull request number the event is about. */
  number: number;
  isPullRequest: boolean;
  labelName?: string;
  comment?: { id: number; body: string };
}

export type Decision =
  | { kind: 'ignore'; why: string }
  | { kind: 'refuse_bot'; why: string }
  | { kind: 'run'; via: 'label' | 'comment' | 'followup'; instructions: string }
  | { kind: 'cancel' }
  | { kind: 'retry' }
  | { kind: 'status' }
  | { kind: 'help' }
  | { kind: 'unknown_command'; word: string };

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
