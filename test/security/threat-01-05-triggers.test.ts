/**
 * Who may start a run (THREATS.md #1, #3, #4, #5): the pure parts of the control — the webhook
 * signature check and the trigger decision. The HTTP path (401, nothing queued; one polite reply) is
 * proved against the real app server in test/app/app.int.test.ts.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decide, type EventFacts } from '../../src/app/triggers.ts';
import { hasPermission, type Permission } from '../../src/github/permission.ts';
import { signatureMatches } from '../../src/github/webhook-signature.ts';

// The app ranks the sender's role with src/github/permission.ts (checkSenderPermission).
const permits = (role: string, minimum: Permission) => hasPermission(role as Permission, minimum);

import { loadConfig } from '../../src/config/index.ts';

const settings = loadConfig({ env: {} }).config.github;
const facts = (over: Partial<EventFacts>): EventFacts => ({
  event: 'issue_comment',
  action: 'created',
  sender: { login: 'someone', type: 'User' },
  owner: 'octo',
  repo: 'calc',
  number: 1,
  isPullRequest: false,
  comment: { id: 7, body: '/conjecture fix' },
  ...over,
});

describe('THREAT #1: forged webhook', () => {
  const body = Buffer.from('{"action":"labeled"}');
  const good = `sha256=${createHmac('sha256', 'the-secret').update(body).digest('hex')}`;

  it("GitHub's published test vector verifies", () => {
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signatureMatches(Buffer.from('Hello, World!'), header, "It's a Secret to Everybody")).toBe(true);
  });

  it('a wrong, missing, truncated, sha1 or other-secret signature is refused', () => {
    expect(signatureMatches(body, good, 'the-secret')).toBe(true);
    expect(signatureMatches(body, good, 'another-secret')).toBe(false);
    expect(signatureMatches(Buffer.from('{"action":"opened"}'), good, 'the-secret')).toBe(false);
    expect(signatureMatches(body, undefined, 'the-secret')).toBe(false);
    expect(signatureMatches(body, [good], 'the-secret')).toBe(false);
    expect(signatureMatches(body, good.slice(0, -1), 'the-secret')).toBe(false);
    expect(signatureMatches(body, good.toUpperCase(), 'the-secret')).toBe(false);
    expect(signatureMatches(body, good.replace('sha256=', 'sha1='), 'the-secret')).toBe(false);
  });
});

describe('THREAT #3: non-writer comments /conjecture fix', () => {
  it('read and triage are below the default minimum (write); write and above pass', () => {
    expect(settings.minPermission).toBe('write');
    for (const role of ['read', 'triage', 'none', '', 'WRITE', 'owner'])
      expect(permits(role, 'write')).toBe(false);
    for (const role of ['write', 'maintain', 'admin']) expect(permits(role, 'write')).toBe(true);
    expect(permits('write', 'maintain')).toBe(false);
  });
});

describe('THREAT #4: a triage user adds the label', () => {
  it('the label decision names no author, so the handler checks the labeller (the sender)', () => {
    const d = decide(
      facts({ event: 'issues', action: 'labeled', labelName: 'conjecture', comment: undefined }),
      settings,
    );
    expect(d).toEqual({ kind: 'run', via: 'label', instructions: '' });
    expect(permits('triage', settings.minPermission)).toBe(false);
  });

  it('other labels and labels on pull requests start nothing', () => {
    expect(decide(facts({ event: 'issues', action: 'labeled', labelName: 'bug' }), settings).kind).toBe(
      'ignore',
    );
    expect(
      decide(
        facts({ event: 'issues', action: 'labeled', labelName: 'conjecture', isPullRequest: true }),
        settings,
      ).kind,
    ).toBe('ignore');
  });
});

describe('THREAT #5: bot or self loops', () => {
  it('commands and labels from any [bot] sender, including ours, are refused', () => {
    for (const sender of [
      { login: 'conjecture[bot]', type: 'Bot' },
      { login: 'dependabot[bot]', type: 'Bot' },
      { login: 'sneaky[bot]', type: 'User' },
      { login: 'renovate', type: 'Bot' },
    ]) {
      expect(decide(facts({ sender }), settings).kind).toBe('refuse_bot');
      expect(
        decide(facts({ sender, event: 'issues', action: 'labeled', labelName: 'conjecture' }), settings).kind,
      ).toBe('refuse_bot');
    }
  });

  it('an allow-listed bot may trigger; a comment that only quotes a command does not', () => {
    const allow = { ...settings, allowBots: ['helper[bot]'] };
    expect(decide(facts({ sender: { login: 'helper[bot]', type: 'Bot' } }), allow).kind).toBe('run');
    expect(decide(facts({ comment: { id: 1, body: '```\n/conjecture fix\n```' } }), settings).kind).toBe(
      'ignore',
    );
    expect(decide(facts({ action: 'edited' }), settings).kind).toBe('ignore');
  });
});
