import { describe, expect, it } from 'vitest';
import { type RunStatus, renderStatusComment, STATUS_MARKER } from '../../src/github/status-comment.ts';

const STATES: RunStatus[] = [
  { state: 'queued', position: 2 },
  { state: 'preparing', detail: 'installing dependencies: npm ci' },
  { state: 'agent', step: 7, maxSteps: 40, attempt: 2, attempts: 3 },
  { state: 'validating', detail: 'npm test' },
  { state: 'pr_opened', number: 42, url: 'https://github.com/octo/hello/pull/42', validation: 'passed' },
  { state: 'pr_opened', number: 43, url: 'https://github.com/octo/hello/pull/43', validation: 'failed' },
  {
    state: 'failed',
    reason: 'the tests fail after the change (1 new failure)',
    evidence: '### Validation\n\n| test | before | after |\n|---|---|---|\n| `adds` | passed | failed |',
  },
  { state: 'cancelled', by: 'alice' },
];

describe('renderStatusComment', () => {
  it('renders every state as reviewed in the golden file', async () => {
    const all = STATES.map(
      (status) => `<!-- ${status.state} -->\n${renderStatusComment({ status, jobId: 'job-1' })}`,
    );
    await expect(all.join('\n---\n\n')).toMatchFileSnapshot('../golden/github/status-comments.md');
  });

  it('starts with the marker, so the comment can be found again', () => {
    for (const status of STATES)
      expect(renderStatusComment({ status, jobId: 'j' }).startsWith(STATUS_MARKER)).toBe(true);
  });

  it('redacts secrets and defuses mentions and closing keywords in free text', () => {
    const token = `ghs_${'Q'.repeat(36)}`;
    const body = renderStatusComment({
      status: {
        state: 'failed',
        reason: `push refused for ${token}; cc @bob; fixes #9`,
        evidence: `secret-${'s'.repeat(10)}`,
      },
      jobId: 'j',
      secrets: [`secret-${'s'.repeat(10)}`],
    });
    expect(body).not.toContain(token);
    expect(body).not.toContain(`secret-${'s'.repeat(10)}`);
    expect(body).not.toMatch(/@bob/);
    expect(body).not.toMatch(/fixes #9/);
  });
});
