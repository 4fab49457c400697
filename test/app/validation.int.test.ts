/**
 * When the repository's tests still fail after the agent's change, the app does what
 * `github.onValidationFailure` says: `comment` (the default) explains with the evidence and opens no
 * PR; `draft_pr` opens a draft marked as failing, with a failing check run.
 */
import { afterEach, expect, it } from 'vitest';
import { BREAK_MUL, FIX_ADD } from '../support/calc-repo.ts';
import { describeIf, missingDocker } from '../support/prereq.ts';
import { type AppHarness, bash, SUBMIT, startAppHarness } from './harness.ts';

// The change fixes add() but breaks mul(), which the repository's tests check.
const BREAKING_TURNS = [bash('Fix add.', `${FIX_ADD} && ${BREAK_MUL}`), SUBMIT];
const NO_FEEDBACK = { CONJECTURE_VALIDATE_FIX_ROUNDS: '0' };

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describeIf(missingDocker(), 'GitHub App: validation failure', () => {
  it('by default: no PR, a failed status with the evidence, label conjecture:failed', async () => {
    h = await startAppHarness(BREAKING_TURNS, {}, NO_FEEDBACK);
    await h.hook('issues', h.labeled('maintainer'));
    await h.app.idle();
    expect(h.repo.pulls.size).toBe(0);
    expect(h.repo.checkRuns).toEqual([]);
    const status = h.issue().comments.filter((c) => c.user === 'conjecture[bot]');
    expect(status).toHaveLength(1);
    expect(status[0]!.body).toMatch(/could not fix this issue/);
    expect(status[0]!.body).toMatch(/<summary>Evidence<\/summary>[\s\S]*mul/);
    expect(h.issue().labels).toContain('conjecture:failed');
    expect(h.standin.problems).toEqual([]);
  });

  it('with onValidationFailure: draft_pr — a draft PR marked as failing and a failing check run', async () => {
    h = await startAppHarness(
      BREAKING_TURNS,
      { '.github/conjecture.yml': 'github:\n  onValidationFailure: draft_pr\n' },
      NO_FEEDBACK,
    );
    await h.hook('issues', h.labeled('maintainer'));
    await h.app.idle();
    expect(h.repo.pulls.size).toBe(1);
    const pr = [...h.repo.pulls.values()][0]!;
    expect(pr.draft).toBe(true);
    expect(pr.body).toContain("The repository's tests fail with this change.");
    expect(h.repo.checkRuns).toMatchObject([{ conclusion: 'failure' }]);
    expect(h.issue().labels).toContain('conjecture:failed');
    expect(h.issue().comments.at(-1)!.body).toMatch(
      /tests fail with the change; the draft PR is for inspection/,
    );
    expect(h.standin.problems).toEqual([]);
  });
});
