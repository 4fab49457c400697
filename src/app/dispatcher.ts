/**
 * Runs GitHub jobs in this process: one run per issue at a time, deliveries de-duplicated, runs
 * cancellable. Webhook handlers only call `submit`, which returns at once; the work happens after
 * the webhook has been acknowledged.
 *
 * This is the single-node path. The durable queue (issue 5) replaces the in-memory maps behind the
 * same methods so that accepted jobs survive a restart.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/log.ts';

export interface IssueKey {
  owner: string;
  repo: string;
  number: number;
}

export interface DispatchedJob<T> {
  id: string;
  key: IssueKey;
  spec: T;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  controller: AbortController;
  cancelledBy?: string;
  done: Promise<void>;
}

export interface Dispatcher<T> {
  /** False when this delivery id was seen before (a redelivery). */
  recordDelivery(deliveryId: string): boolean;
  submit(
    key: IssueKey,
    spec: T,
  ): { job: DispatchedJob<T>; started: true } | { job: DispatchedJob<T>; started: false };
  active(key: IssueKey): DispatchedJob<T> | undefined;
  last(key: IssueKey): DispatchedJob<T> | undefined;
  cancel(key: IssueKey, by: string): DispatchedJob<T> | undefined;
  /** Resolves when every job has ended. */
  idle(): Promise<void>;
  all(): DispatchedJob<T>[];
}

const keyOf = (k: IssueKey) => `${k.owner}/${k.repo}#${k.number}`.toLowerCase();
const DELIVERY_TTL_MS = 7 * 24 * 3600_000;

export function createDispatcher<T>(options: {
  run: (job: DispatchedJob<T>) => Promise<'succeeded' | 'failed'>;
  logger: Logger;
}): Dispatcher<T> {
  const deliveries = new Map<string, number>();
  const active = new Map<string, DispatchedJob<T>>();
  const last = new Map<string, DispatchedJob<T>>();
  const jobs: DispatchedJob<T>[] = [];

  return {
    recordDelivery(id) {
      const now = Date.now();
      for (const [d, at] of deliveries) if (now - at > DELIVERY_TTL_MS) deliveries.delete(d);
      if (deliveries.has(id)) return false;
      deliveries.set(id, now);
      return true;
    },
    submit(key, spec) {
      const running = active.get(keyOf(key));
      if (running) return { job: running, started: false };
      const controller = new AbortController();
      const job = { id: randomUUID(), key, spec, state: 'queued', controller } as DispatchedJob<T>;
      active.set(keyOf(key), job);
      last.set(keyOf(key), job);
      jobs.push(job);
      job.done = (async () => {
        // Let the webhook response go out first.
        await new Promise((r) => setImmediate(r));
        job.state = 'running';
        try {
          const outcome = await options.run(job);
          job.state = controller.signal.aborted ? 'cancelled' : outcome;
        } catch (err) {
          job.state = controller.signal.aborted ? 'cancelled' : 'failed';
          options.logger.error({ err, jobId: job.id }, 'job crashed');
        } finally {
          active.delete(keyOf(key));
        }
      })();
      return { job, started: true };
    },
    active: (key) => active.get(keyOf(key)),
    last: (key) => last.get(keyOf(key)),
    cancel(key, by) {
      const job = active.get(keyOf(key));
      if (!job) return undefined;
      job.cancelledBy = by;
      job.controller.abort();
      return job;
    },
    async idle() {
      await Promise.all(jobs.map((j) => j.done));
    },
    all: () => [...jobs],
  };
}
