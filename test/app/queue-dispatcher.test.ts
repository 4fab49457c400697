/** The handlers' dispatcher on the SQLite queue: one open run per issue, redeliveries, cancel, payload checks. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { GitHubJobSpec } from '../../src/app/index.ts';
import { createQueueDispatcher, specOf } from '../../src/app/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { JobQueue } from '../../src/jobs/index.ts';
import { createSqliteJobQueue } from '../../src/jobs/sqlite/queue.ts';

let queue: JobQueue | undefined;
afterEach(async () => {
  await queue?.close();
});

function open() {
  queue = createSqliteJobQueue({
    path: join(mkdtempSync(join(tmpdir(), 'qd-')), 'jobs.sqlite'),
    limits: { perRepository: 1, perInstallation: 2 },
    logger: silentLogger(),
  });
  return createQueueDispatcher({ queue, maxAttempts: 3, logger: silentLogger() });
}

const spec = (number: number): GitHubJobSpec => ({
  owner: 'octo',
  repo: 'calc',
  number,
  installationId: 7,
  cloneUrl: 'http://127.0.0.1:1/octo/calc.git',
  defaultBranch: 'main',
  triggeredBy: 'maintainer',
  triggeredByBot: false,
  instructions: '',
  issue: { title: 't', body: 'b', number },
  issueSha256: 'x',
});
const key = (number: number) => ({ owner: 'octo', repo: 'calc', number });

it('keeps one open job per issue; submitting the same delivery again finds its job', async () => {
  const d = open();
  const first = await d.submit(key(1), spec(1), 'd1');
  expect(first.started).toBe(true);
  expect(first.job).toMatchObject({
    kind: 'github-fix',
    repo: 'octo/calc',
    installationId: 7,
    state: 'queued',
  });
  const again = await d.submit(key(1), spec(1), 'd2');
  expect(again).toMatchObject({ started: false, job: { id: first.job.id } });
  expect((await d.submit(key(2), spec(2), 'd3')).started).toBe(true);
  // A delivery handled twice (the intake retried after a crash) maps to the job it made.
  await d.cancel(key(1), 'maintainer');
  const retried = await d.submit(key(1), spec(1), 'd1');
  expect(retried.job.id).toBe(first.job.id);
  expect(specOf(first.job)).toEqual(spec(1));
  expect(await d.all()).toHaveLength(2);
  expect(await d.active(key(1))).toBeUndefined();
});

it('cancels a queued job at once and then has nothing open', async () => {
  const d = open();
  await d.submit(key(1), spec(1), 'd1');
  const cancelled = await d.cancel(key(1), 'maintainer');
  expect(cancelled?.state).toBe('cancelled');
  expect(cancelled?.cancel?.by).toBe('maintainer');
  expect(await d.active(key(1))).toBeUndefined();
  expect((await d.last(key(1)))?.id).toBe(cancelled?.id);
  expect(await d.cancel(key(1), 'maintainer')).toBeUndefined();
});

it('refuses a stored payload that is not a GitHub job spec', async () => {
  open();
  const { job } = await queue!.enqueue({
    kind: 'github-fix',
    payload: { owner: 'octo' },
    idempotencyKey: 'k',
    repo: 'octo/calc',
  });
  expect(() => specOf(job)).toThrow(/invalid GitHub job payload/);
});
