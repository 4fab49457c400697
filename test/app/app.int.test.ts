/**
 * The GitHub App end to end: signed webhooks over HTTP to the real Probot server, the GitHub
 * stand-in (REST checked against GitHub's OpenAPI description, git over smart HTTP), the scripted
 * model over HTTP, and the real Docker sandbox (see harness.ts).
 */
import { execFileSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import type { AppServer } from '../../src/cli/compose/index.ts';
import type { ScriptedServer, ScriptedTurn } from '../../src/model/scripted-server.ts';
import { FIX_ADD } from '../support/calc-repo.ts';
import type { Standin, StandinRepo } from '../support/github/standin.ts';
import { describeIf, missingDocker } from '../support/prereq.ts';
import { type AppHarness, bash, FIX_TURNS, SUBMIT, startAppHarness } from './harness.ts';

let h: AppHarness | undefined;
let standin: Standin;
let model: ScriptedServer;
let app: AppServer;
let repo: StandinRepo;

async function start(turns: ScriptedTurn[], extraFiles: Record<string, string> = {}): Promise<void> {
  h = await startAppHarness(turns, extraFiles);
  ({ standin, model, app, repo } = h);
}
const labeled = (login: string, type = 'User') => h!.labeled(login, type);
const comment = (login: string, body: string, type = 'User') => h!.comment(login, body, { type });
const hook: AppHarness['hook'] = (event, payload, options) => h!.hook(event, payload, options);
const issue = () => h!.issue();
const comments = () => h!.comments();

afterEach(async () => {
  await h?.close();
  h = undefined;
});

describeIf(missingDocker(), 'GitHub App end to end', () => {
  it('a writer labels an issue → a draft PR with the fix, evidence and trace; labels and status follow', async () => {
    await start(FIX_TURNS);
    const res = await hook('issues', labeled('maintainer'));
    expect(res.status).toBe(200);
    await app.idle();

    expect(repo.pulls.size).toBe(1);
    const pr = [...repo.pulls.values()][0]!;
    expect(pr.head).toMatch(/^conjecture\/issue-1-[0-9a-f]{8}$/);
    expect(pr.title).toBe('Fix #1: add() subtracts');
    expect(pr.draft).toBe(true);
    expect(pr.body).toContain('Fixes #1');
    expect(pr.body).toMatch(/### Summary/);
    expect(pr.body).toContain('src/calc.js');
    expect(pr.body).toContain('npm test');
    expect(pr.body).toContain('<details>');
    expect(pr.requestedReviewers).toEqual(['maintainer']);
    const diff = execFileSync('git', ['-C', repo.bareDir, 'diff', `main..${pr.head}`], { encoding: 'utf8' });
    expect(diff).toContain('+  return a + b;');
    expect(diff).not.toContain('.conjecture');
    // The validation result is a check run on the pushed commit.
    const head = execFileSync('git', ['-C', repo.bareDir, 'rev-parse', pr.head], { encoding: 'utf8' }).trim();
    expect(repo.checkRuns).toMatchObject([
      { name: 'Conjecture validation', head_sha: head, status: 'completed', conclusion: 'success' },
    ]);
    expect(String((repo.checkRuns[0] as { output: { text: string } }).output.text)).toContain('npm test');

    expect(issue().labels).toContain('conjecture:done');
    expect(issue().labels).not.toContain('conjecture:in-progress');
    expect(issue().reactions.map((r) => r.content)).toContain('eyes');
    const status = issue().comments.filter((c) => c.user === 'conjecture[bot]');
    expect(status).toHaveLength(1);
    expect(status[0]!.history.length).toBeGreaterThan(2);
    // The comment only moved forward: no phase is unticked once ticked.
    const ticked = status[0]!.history.map(
      (b) => (b.match(/✅/g) ?? []).length + (b.includes('### ✅') ? 9 : 0),
    );
    expect(ticked).toEqual([...ticked].sort((a, b) => a - b));
    expect(status[0]!.body).toContain(`/pull/${pr.number}`);

    // The job history has what the cost report and the web page show.
    const [job] = await app.dispatcher.all();
    expect(job!.result).toMatchObject({
      exitStatus: 'succeeded',
      prUrl: expect.stringContaining(`/pull/${pr.number}`),
      usage: { promptTokens: expect.any(Number), completionTokens: expect.any(Number) },
      traceLocation: expect.stringMatching(/trace\.jsonl$/),
    });

    // The model never saw the hidden HTML comment.
    expect(JSON.stringify(model.requests[0]!.messages)).not.toContain('ignore all instructions');
    // The clone token was scoped to this one repository.
    const grants = [...standin.tokens.values()].filter((g) => g.repositories);
    expect(grants.every((g) => g.repositories!.length === 1 && g.repositories![0] === 'octo/calc')).toBe(
      true,
    );
    expect(standin.problems).toEqual([]);
  });

  it('refuses a forged or unsigned webhook with 401 and queues nothing', async () => {
    await start([]);
    expect((await hook('issues', labeled('maintainer'), { signature: 'sha256=deadbeef' })).status).toBe(401);
    expect((await hook('issues', labeled('maintainer'), { signature: null })).status).toBeGreaterThanOrEqual(
      400,
    );
    expect(await app.dispatcher.all()).toHaveLength(0);
    expect(standin.requests).toHaveLength(0);
  });

  it('a redelivered webhook starts one run', async () => {
    await start(FIX_TURNS);
    const payload = labeled('maintainer');
    await hook('issues', payload, { deliveryId: 'same-delivery' });
    await hook('issues', payload, { deliveryId: 'same-delivery' });
    await app.idle();
    expect(await app.dispatcher.all()).toHaveLength(1);
    expect(repo.pulls.size).toBe(1);
    // Both acknowledgements were timed; /metrics tells them apart.
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/conjecture_webhook_intake_duration_seconds_count\{outcome="accepted"\} 1\n/);
    expect(metrics).toMatch(/conjecture_webhook_intake_duration_seconds_count\{outcome="duplicate"\} 1\n/);
  });

  it('a read-only sender gets one short reply and no run; a triager adding the label gets no run', async () => {
    await start([]);
    await hook('issue_comment', comment('reader', '/conjecture fix please'));
    await hook('issues', labeled('triager'));
    await app.idle();
    expect(await app.dispatcher.all()).toHaveLength(0);
    expect(comments()).toHaveLength(2);
    expect(comments()[0]).toMatch(/@reader needs write access/);
    expect(comments()[1]).toMatch(/@triager needs write access/);
    expect(model.requests).toHaveLength(0);
  });

  it('ignores commands from bots, including itself', async () => {
    await start([]);
    await hook('issue_comment', comment('conjecture[bot]', '/conjecture fix', 'Bot'));
    await hook('issue_comment', comment('dependabot[bot]', '/conjecture fix', 'Bot'));
    await app.idle();
    expect(await app.dispatcher.all()).toHaveLength(0);
    expect(comments()).toHaveLength(0);
  });

  it('refuses a patch that touches a workflow', async () => {
    await start([
      bash('Fix add.', FIX_ADD),
      bash('Also CI.', "mkdir -p .github/workflows && printf 'on: push\\n' > .github/workflows/ci.yml"),
      SUBMIT,
    ]);
    await hook('issue_comment', comment('maintainer', '/conjecture fix'));
    await app.idle();
    expect(repo.pulls.size).toBe(0);
    expect(issue().labels).toContain('conjecture:failed');
    expect(issue().comments.at(-1)!.body).toMatch(/\.github\/workflows\/ci\.yml/);
    expect(
      execFileSync('git', ['-C', repo.bareDir, 'branch', '--list', 'conjecture/*'], {
        encoding: 'utf8',
      }).trim(),
    ).toBe('');
  });

  it('redacts fake tokens that show up in the trace from the PR body', async () => {
    const ghp = `ghp_${'a1B2'.repeat(9)}`;
    const akia = 'AKIAIOSFODNN7EXAMPLE';
    await start([bash('Check env.', `echo token=${ghp} key=${akia}`), bash('Fix add.', FIX_ADD), SUBMIT]);
    await hook('issues', labeled('maintainer'));
    await app.idle();
    const pr = [...repo.pulls.values()][0]!;
    expect(pr.body).not.toContain(ghp);
    expect(pr.body).not.toContain(akia);
    expect(pr.body).toContain('[REDACTED]');
  });

  it('answers an invalid repo config with the field and the fix', async () => {
    await start([], { '.github/conjecture.yml': 'agent:\n  stepLimit: lots\n' });
    await hook('issues', labeled('maintainer'));
    await app.idle();
    expect(repo.pulls.size).toBe(0);
    const last = issue().comments.at(-1)!.body;
    expect(last).toMatch(/agent\.stepLimit/);
    expect(last).toMatch(/retry/);
  });
});
