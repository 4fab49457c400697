/**
 * "A job accepted is a job finished, failed or cancelled — never lost" across a crash: `conjecture
 * serve --no-worker` runs as a child process on a SQLite queue, takes signed webhooks for 10
 * issues, is killed with SIGKILL mid-way, restarted, and GitHub delivers everything again. Every
 * delivery acknowledged with 200 before the kill is stored in the intake file, and once the restarted
 * app has acted on them there is exactly one run per delivery — none lost, none doubled.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import type { JobRecord } from '../../src/jobs/index.ts';
import { createSqliteJobQueue } from '../../src/jobs/sqlite/queue.ts';
import { WEBHOOK_PATH } from '../../src/server/index.ts';
import { CALC_FILES } from '../support/calc-repo.ts';
import { makeRepo } from '../support/git-repo.ts';
import { type Standin, startGitHubStandin } from '../support/github/standin.ts';
import { examplePayload, pointAt, sendWebhook } from '../support/github/webhooks.ts';
import { describeIf, missingCommand } from '../support/prereq.ts';
import { type ServeProcess, startServeProcess } from '../support/serve-process.ts';

const SECRET = 'crash-test-secret';
const ISSUES = 10;
const KILL_AFTER_ACKS = 4;
const INTAKE_FILE = 'jobs.intake.sqlite';

const children = new Set<ChildProcessWithoutNullStreams>();
let standin: Standin | undefined;
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await standin?.close();
});

async function startServe(home: string, apiUrl: string): Promise<ServeProcess> {
  const serve = await startServeProcess({
    home,
    env: { APP_ID: '12345', WEBHOOK_SECRET: SECRET, CONJECTURE_GITHUB_API_URL: apiUrl },
  });
  children.add(serve.child);
  return serve;
}

async function jobsIn(home: string, file = 'jobs.sqlite'): Promise<JobRecord[]> {
  const queue = createSqliteJobQueue({
    path: join(home, '.conjecture', file),
    limits: { perRepository: 1, perInstallation: 2 },
    logger: silentLogger(),
  });
  try {
    return (await queue.list({ limit: 1000 })).jobs;
  } finally {
    await queue.close();
  }
}

describeIf(missingCommand('git'), 'serve survives SIGKILL without losing or doubling jobs', () => {
  it('every acknowledged delivery is exactly one job after a crash and full redelivery', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'app-crash-'));
    standin = await startGitHubStandin({ dir });
    const repo = standin.addRepo({
      owner: 'octo',
      name: 'calc',
      sourceDir: makeRepo(CALC_FILES),
      permissions: { maintainer: 'write' },
    });
    for (let i = 1; i <= ISSUES; i++)
      standin.addIssue(repo, { title: `bug ${i}`, body: `issue ${i}`, user: 'reporter' });
    const deliveries = Array.from({ length: ISSUES }, (_, i) => {
      const p = pointAt(
        examplePayload('issues', 'labeled'),
        {
          owner: 'octo',
          repo: 'calc',
          cloneUrl: standin!.gitUrl('octo', 'calc'),
          issueNumber: i + 1,
          issue: repo.issues.get(i + 1),
        },
        { login: 'maintainer' },
      );
      p.label.name = 'conjecture';
      return { id: `crash-delivery-${i + 1}`, payload: p };
    });
    const home = mkdtempSync(join(tmpdir(), 'app-crash-home-'));

    const first = await startServe(home, standin.url);
    const acked = new Set<string>();
    let killed: Promise<void> | undefined;
    // Staggered sends so the kill lands while some deliveries are in flight.
    await Promise.all(
      deliveries.map(async (d, i) => {
        await new Promise((r) => setTimeout(r, i * 15));
        if (killed) return;
        const res = await sendWebhook(`${first.url}${WEBHOOK_PATH}`, 'issues', d.payload, {
          secret: SECRET,
          deliveryId: d.id,
        }).catch(() => null);
        // Only a 200 promises the delivery is stored (a 202 means the 9 s webhook timeout passed first).
        if (res?.status === 200) acked.add(d.id);
        if (acked.size >= KILL_AFTER_ACKS && !killed) {
          first.child.kill('SIGKILL');
          killed = first.exited;
        }
      }),
    );
    await killed;
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

    // None lost: every 200 is a stored delivery in the intake file, straight after the crash.
    const afterCrash = await jobsIn(home, INTAKE_FILE);
    for (const id of acked)
      expect(afterCrash.filter((j) => j.idempotencyKey === `delivery:${id}`)).toHaveLength(1);

    // GitHub delivers everything again (acknowledged or not) to the restarted server.
    const second = await startServe(home, standin.url);
    for (const d of deliveries) {
      const res = await sendWebhook(`${second.url}${WEBHOOK_PATH}`, 'issues', d.payload, {
        secret: SECRET,
        deliveryId: d.id,
      });
      expect(res.status).toBe(200);
    }
    // The restarted app acts on every stored delivery, including those the killed one held (their
    // lease runs out first). Octokit's throttling spaces the 👀 writes a second or more apart.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const intake = await jobsIn(home, INTAKE_FILE);
      if (intake.length === ISSUES && intake.every((j) => j.state === 'succeeded')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    second.child.kill('SIGTERM');
    await second.exited;

    // None doubled: one queued job per delivery and per issue.
    const jobs = await jobsIn(home);
    expect(jobs).toHaveLength(ISSUES);
    expect(new Set(jobs.map((j) => j.idempotencyKey))).toEqual(
      new Set(deliveries.map((d) => `github:${d.id}`)),
    );
    expect(new Set(jobs.map((j) => (j.payload as { number: number }).number)).size).toBe(ISSUES);
    expect(jobs.every((j) => j.kind === 'github-fix' && j.state === 'queued')).toBe(true);
    expect(standin.problems).toEqual([]);
  }, 120_000);
});
