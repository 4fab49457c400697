import { describe, expect, it } from 'vitest';
import {
  neutralizeClosingKeywords,
  neutralizeMentions,
  redactSecrets,
  truncateMarkdown,
} from '../../src/github/public-text.ts';

const ZWSP = '\u200B';

describe('public text', () => {
  it('redacts named secrets and token shapes', () => {
    const ghs = `ghs_${'a1B2'.repeat(9)}`;
    const pat = `github_pat_${'x'.repeat(40)}`;
    const out = redactSecrets(`tok ${ghs} pat ${pat} key my-secret-value-123 and sk-${'k'.repeat(30)}`, [
      'my-secret-value-123',
    ]);
    expect(out).toBe('tok [REDACTED] pat [REDACTED] key [REDACTED] and [REDACTED]');
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----';
    expect(redactSecrets(`a\n${pem}\nb`)).toBe('a\n[REDACTED]\nb');
  });

  it('defuses mentions but not e-mail addresses or code', () => {
    expect(neutralizeMentions('ping @alice and @org-team, mail bob@example.com')).toBe(
      `ping @${ZWSP}alice and @${ZWSP}org-team, mail bob@example.com`,
    );
  });

  it('defuses closing keywords, including cross-repository ones', () => {
    expect(neutralizeClosingKeywords('Fixes #12, closes octo/other#3 and resolved: #4; see #5')).toBe(
      `Fixes #${ZWSP}12, closes octo/other#${ZWSP}3 and resolved: #${ZWSP}4; see #5`,
    );
  });

  it('truncates on a line boundary, closes an open fence and stays under the limit', () => {
    const text = ['intro', '```', ...Array.from({ length: 200 }, (_, i) => `line ${i}`), '```', 'end'].join(
      '\n',
    );
    const out = truncateMarkdown(text, 500);
    expect(out.length).toBeLessThanOrEqual(500);
    expect(out.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0);
    expect(out).toMatch(/characters cut to fit\]_$/);
    expect(truncateMarkdown('short', 500)).toBe('short');
  });
});
