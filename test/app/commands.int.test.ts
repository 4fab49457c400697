/**
 * The commands that act on a run, end to end (see harness.ts): `/conjecture cancel` while the agent
 * is mid-command, `/conjecture retry` after a failed run, `/conjecture status`, and a follow-up
 * `/conjecture fix <what to change>` on the pull request Conjecture opened.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { waitFor } from '../jobs/harness.ts';
import { describeIf, missingDocker } from '../support/prereq.ts';
import { type AppHarness, bash, FIX_TURNS, SUBMIT, startAppHarness } from './harness.ts';

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
const containersOf = (jobId: string) =>
  execFileSync('docker', ['ps', '-aq', '--filter', `label=dev.conjecture.task=${jobId}`], {
    encoding: 'utf8',
  }).trim();
const botComments = (number = 1) => h!.issue(number).comments.filter((c) => c.user === 'conjecture[bot]');

describeIf(missingDocker(), 'GitHub App commands', () => {
  it('/conjecture cancel mid-command stops the run: container gone, status says cancelled, no PR', async () => {
    h = await startAppHarness([bash('Look around first.', 'sleep 300'), SUBMIT]);
    await h.hook('issues', h.labeled('maintainer'));
    const job = await waitFor(
      'the run to start',
      async () => (await h!.app.dispatcher.all()).find((j) => j.state === 'running'),
      60_000,
    );
    await waitFor(
      'the agent command to run in a container',
      async () => h!.model.requests.length >= 1 && containersOf(job.id) !== '',
      60_000,
    );

    // The job reports where it is: status, the API and the web page read it from the queue.
    await h.hook('issue_comment', h.comment('maintainer', '/conjecture status'));
    await waitFor('the status reply', async () => h!.comments().some((c) => c.startsWith('Run ')), 20_000);
    expect(h.comments().find((c) => c.startsWith('Run '))).toMatch(
      new RegExp(`^Run \`${job.id}\`: running: agent step \\d+ of \\d+\\.$`),
    );
    expect((await h.app.dispatcher.all())[0]!.progress).toMatchObject({ phase: 'agent', total: 40 });

    const asked = Date.now();
    expect((await h.hook('issue_comment', h.comment('maintainer', '/conjecture cancel'))).status).toBe(200);
    await h.app.idle();
    expect(Date.now() - asked).toBeLessThan(20_000);

    const [ended] = await h.app.dispatcher.all();
    expect(ended).toMatchObject({ id: job.id, state: 'cancelled', cancel: { by: 'maintainer' } });
    expect(containersOf(job.id)).toBe('');
    const status = botComments().filter((c) => !c.body.startsWith('Run '));
    expect(status).toHaveLength(1);
    expect(status[0]!.body).toMatch(/cancel/i);
    expect(status[0]!.body).toMatch(/Cancelled by @\W?maintainer/u);
    expect(h.issue().labels).not.toContain('conjecture:in-progress');
    expect(h.repo.pulls.size).toBe(0);
    expect(h.standin.problems).toEqual([]);
  });

  it('/conjecture retry runs a failed request again; /conjecture status answers', async () => {
    h = await startAppHarness([
      { status: 400, errorBody: { error: { message: 'model "granite4:tiny-h" is not loaded' } } },
      ...FIX_TURNS,
    ]);
    await h.hook('issue_comment', h.comment('maintainer', '/conjecture fix keep it small'));
    await h.app.idle();
    const [failed] = await h.app.dispatcher.all();
    expect(failed!.state).toBe('failed');
    expect(h.issue().labels).toContain('conjecture:failed');
    expect(h.repo.pulls.size).toBe(0);

    await h.hook('issue_comment', h.comment('maintainer', '/conjecture retry'));
    await h.app.idle();
    const jobs = await h.app.dispatcher.all();
    expect(jobs).toHaveLength(2);
    expect(jobs[0]!.state).toBe('succeeded');
    expect(jobs[0]!.id).not.toBe(failed!.id);
    // The retry carries the original request, instructions included.
    expect(jobs[0]!.payload).toMatchObject({ instructions: 'keep it small', number: 1 });
    expect(h.repo.pulls.size).toBe(1);
    expect(h.issue().labels).toContain('conjecture:done');
    expect(h.issue().labels).not.toContain('conjecture:failed');

    await h.hook('issue_comment', h.comment('maintainer', '/conjecture status'));
    await h.app.idle();
    expect(h.comments().at(-1)).toBe(`Run \`${jobs[0]!.id}\`: succeeded.`);
    expect(h.standin.problems).toEqual([]);
  });

  it('a follow-up `/conjecture fix <what>` on the Conjecture PR pushes to the same branch', async () => {
    h = await startAppHarness([
      ...FIX_TURNS,
      bash('Document the function.', "sed -i '1i // Adds two numbers.' src/calc.js"),
      SUBMIT,
    ]);
    await h.hook('issues', h.labeled('maintainer'));
    await h.app.idle();
    const pr = [...h.repo.pulls.values()][0]!;
    const firstHead = git(h.repo.bareDir, 'rev-parse', pr.head).trim();
    const firstBody = pr.body;

    const followup = h.comment('maintainer', '/conjecture fix add a doc comment', { onPull: pr.number });
    expect((await h.hook('issue_comment', followup)).status).toBe(200);
    await h.app.idle();

    const jobs = await h.app.dispatcher.all();
    expect(jobs.map((j) => j.state)).toEqual(['succeeded', 'succeeded']);
    expect(h.repo.pulls.size).toBe(1);
    expect(git(h.repo.bareDir, 'rev-parse', `${pr.head}~1`).trim()).toBe(firstHead);
    const diff = git(h.repo.bareDir, 'diff', `${firstHead}..${pr.head}`);
    expect(diff).toContain('+// Adds two numbers.');
    // The model got the original issue and the new instructions, not the PR's generated body.
    const prompt = JSON.stringify(h.model.requests.at(-1)!.messages);
    expect(prompt).toContain('add(2, 3) returns -1');
    expect(prompt).toContain('add a doc comment');
    expect(prompt).not.toContain('Fixes #1');
    // The PR body now carries the follow-up's evidence and trace, and still closes the issue.
    const body = h.repo.pulls.get(pr.number)!.body;
    expect(body).toContain('Fixes #1');
    expect(body).toContain('Adds two numbers');
    expect(body).not.toBe(firstBody);
    // Progress was reported on the pull request's conversation.
    const status = botComments(pr.number);
    expect(status).toHaveLength(1);
    expect(status[0]!.body).toContain(`/pull/${pr.number}`);
    expect(h.standin.problems).toEqual([]);
  });

  it('a user over the hourly run limit gets a polite reply with the wait, and no run', async () => {
    h = await startAppHarness(
      [{ status: 400, errorBody: { error: { message: 'no such model' } } }],
      {},
      {
        CONJECTURE_RATE_LIMIT_PER_USER_PER_HOUR: '1',
      },
    );
    await h.hook('issue_comment', h.comment('maintainer', '/conjecture fix'));
    await h.app.idle();
    await h.hook('issue_comment', h.comment('maintainer', '/conjecture fix'));
    await h.app.idle();
    expect(await h.app.dispatcher.all()).toHaveLength(1);
    expect(h.comments().at(-1)).toMatch(
      /@\W?maintainer has started as many Conjecture runs as allowed this hour; try again in \d+ min\./u,
    );
  });
});
