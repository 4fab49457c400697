/**
 * Puts finished jobs into a real queue the way production does: enqueue, then a real worker runs a
 * handler that returns each job's result (or throws). For tests of what reads the history (the
 * cost report, the web page).
 */
import { silentLogger } from '../../src/core/log.ts';
import type { JobQueue, JobRecord, JobResult } from '../../src/jobs/index.ts';
import { createWorker } from '../../src/jobs/worker.ts';

export interface FinishedJob {
  repo: string;
  title: string;
  /** A result makes the job succeed (a function gets the running job); null makes it fail. */
  result: JobResult | null | ((job: JobRecord) => JobResult);
}

export async function finishJobs(queue: JobQueue, specs: readonly FinishedJob[]): Promise<JobRecord[]> {
  const ids: string[] = [];
  const results = new Map<string, FinishedJob['result']>();
  for (const [i, spec] of specs.entries()) {
    const { job } = await queue.enqueue({
      kind: 'fix',
      payload: { source: 'api', remote: spec.repo, issue: { title: spec.title, body: '' } },
      idempotencyKey: `finished-${i}-${spec.title}`,
      repo: spec.repo,
      maxAttempts: 1,
    });
    ids.push(job.id);
    results.set(job.id, spec.result);
  }
  const worker = createWorker({
    queue,
    concurrency: 2,
    pollMs: 20,
    logger: silentLogger(),
    handlers: {
      fix: async (job) => {
        const result = results.get(job.id);
        if (!result) throw new Error('the run failed');
        return typeof result === 'function' ? result(job) : result;
      },
    },
  });
  try {
    for (let i = 0; i < 500; i++) {
      const jobs = await Promise.all(ids.map((id) => queue.get(id)));
      if (jobs.every((j) => j?.finishedAt)) return jobs as JobRecord[];
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('jobs did not finish within 10 s');
  } finally {
    await worker.stop({ graceMs: 1_000 });
  }
}
