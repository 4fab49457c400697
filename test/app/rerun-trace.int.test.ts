/**
 * Issue 14, item 4: one trace per run of an attempt. The real `conjecture serve` (with its worker)
 * is killed with SIGKILL while the agent's second command runs; restarted, it re-runs the job once
 * the lease expires. The PR's trace then holds the re-run's steps only, as many as its Run table
 * says, and the dead run's trace is kept beside it (`trace.previous-1.jsonl`).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startScriptedServer } from '../../src/model/scripted-server.ts';
import { WEBHOOK_PATH } from '../../src/server/index.ts';
import { readTrace } from '../../src/trace/index.ts';
import { waitFor } from '../jobs/harness.ts';
import { addCalcRepo } from '../support/calc-repo.ts';
import { type Standin, startGitHubStandin } from '../support/github/standin.ts';
import { examplePayload, pointAt, sendWebhook } from '../support/github/webhooks.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';
import { type ServeProcess, startServeProcess } from '../support/serve-process.ts';
import { bash, FIX_TURNS } from './harness.ts';

const SECRET = 'rerun-trace-secret';
const serves: ServeProcess[] = [];
let standin: Standin | undefined;
afterAll(async () => {
  for (const s of serves) s.child.kill('SIGKILL');
  await standin?.close();
});

describeIf(missingDocker(), 'a run re-run after a crash', () => {
  it('the PR trace holds the re-run only and agrees with the Run table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rerun-trace-'));
    standin = await startGitHubStandin({ dir });
    const repo = addCalcRepo(standin);
    const issue = standin.addIssue(repo, {
      title: 'add() subtracts',
      body: 'add(2, 3) is -1',
      user: 'reporter',
    });
    // The dead run gets the first two turns (it is killed during `sleep`); the re-run gets the fix.
    const model = await startScriptedServer({
      turns: [bash('Look first.', 'cat src/calc.js'), bash('Wait.', 'sleep 600'), ...FIX_TURNS],
    });
    const home = mkdtempSync(join(tmpdir(), 'rerun-trace-home-'));
    const start = async () => {
      const serve = await startServeProcess({
        home,
        args: [],
        env: {
          APP_ID: '12345',
          WEBHOOK_SECRET: SECRET,
          CONJECTURE_GITHUB_API_URL: standin!.url,
          CONJECTURE_MODEL_BASE_URL: model.url,
          CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE,
          CONJECTURE_QUEUE_LEASE_MS: '3000',
        },
      });
      serves.push(serve);
      return serve;
    };
    try {
      const first = await start();
      const payload = pointAt(
        examplePayload('issues', 'labeled'),
        { owner: 'octo', repo: 'calc', cloneUrl: standin.gitUrl('octo', 'calc'), issueNumber: 1, issue },
        { login: 'maintainer' },
      );
      payload.label.name = 'conjecture';
      const res = await sendWebhook(`${first.url}${WEBHOOK_PATH}`, 'issues', payload, { secret: SECRET });
      expect(res.status).toBe(200);
      // The second command (sleep) is running: step 1 is in the trace.
      await waitFor('the agent to reach its second command', async () => model.requests.length >= 2, 120_000);
      await new Promise((r) => setTimeout(r, 1_000));
      first.child.kill('SIGKILL');
      await first.exited;

      await start();
      await waitFor('the re-run to open a pull request', async () => repo.pulls.size === 1, 180_000);
      const pr = [...repo.pulls.values()][0]!;
      const tableSteps = Number(/\| agent steps \| (\d+) \|/.exec(pr.body)?.[1]);
      const traceSteps = [...pr.body.matchAll(/Step (\d+) ·/g)].map((m) => Number(m[1]));
      expect(tableSteps).toBe(FIX_TURNS.length);
      expect(traceSteps).toEqual(Array.from({ length: tableSteps }, (_, i) => i + 1));
      expect(pr.body).not.toContain('sleep 600');

      const jobId = /\| job \| `([^`]+)` \|/.exec(pr.body)?.[1] as string;
      const runDir = join(home, '.conjecture', 'runs', jobId);
      const previous = readTrace(join(runDir, 'trace.previous-1.jsonl'));
      expect(previous.filter((e) => e.type === 'step').map((e) => e.type === 'step' && e.command)).toEqual([
        'cat src/calc.js',
      ]);
      expect(existsSync(join(runDir, 'trace.previous-2.jsonl'))).toBe(false);
      expect(standin.problems).toEqual([]);
    } finally {
      await Promise.all(serves.map((s) => s.stop()));
      await model.close();
    }
  }, 420_000);
});
