/**
 * One consumer loop for every backend: claim up to `concurrency` jobs, run each handler with an
 * AbortSignal, renew leases on a timer (which is also when cancel requests are noticed), settle
 * the outcome, and on `stop` hand unfinished jobs back to the queue after the grace period.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../core/log.ts';
import type { Lease, LeaseBackend, Settlement } from './lease.ts';
import { type AbortReason, type HandlerEnd, settle } from './outcome.ts';
import {
  type BackoffPolicy,
  type ConsumeOptions,
  type Consumer,
  type HandlerContext,
  jobProgressSchema,
  type StopReport,
} from './types.ts';

/** The longest a running job keeps going after someone cancelled it. */
const CANCEL_CHECK_MS = 2_000;

export interface CreateConsumerOptions extends ConsumeOptions {
  backend: LeaseBackend;
  backoff: BackoffPolicy;
  logger: Logger;
  owner?: string;
  /** After the grace period, how long aborted handlers get to return before being abandoned. */
  abortSettleMs?: number;
}

interface Active {
  lease: Lease;
  controller: AbortController;
  aborted: AbortReason | null;
  /** True once a settlement was written (or given up on); later writes are skipped. */
  released: boolean;
  timer: NodeJS.Timeout | undefined;
  done: Promise<void>;
}

export class JobAbortedError extends Error {
  readonly reason: AbortReason;
  constructor(reason: AbortReason) {
    super(`job aborted: ${reason}`);
    this.name = 'AbortError';
    this.reason = reason;
  }
}

export function createConsumer(options: CreateConsumerOptions): Consumer {
  const { backend, handler, leaseMs, logger } = options;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pollMs = options.pollMs ?? 1000;
  const log = logger.child({ consumer: owner });
  const active = new Map<string, Active>();
  const report: StopReport = { finished: 0, handedBack: 0 };
  let stopping = false;
  let wake: (() => void) | null = null;

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = null;
        resolve();
      }
      wake = done;
    });

  async function write(entry: Active, settlement: Settlement): Promise<void> {
    entry.released = true;
    clearInterval(entry.timer);
    const jobLog = log.child({ jobId: entry.lease.job.id, repo: entry.lease.job.repo });
    try {
      const held = await backend.settle(entry.lease, settlement);
      if (!held) jobLog.warn({ settlement: settlement.kind }, 'lease lost before the outcome was written');
      else if (settlement.kind === 'handback') report.handedBack++;
      else report.finished++;
      jobLog.info({ outcome: settlement.kind }, 'job settled');
    } catch (err) {
      // The lease will expire and another worker retries the job: nothing is lost.
      jobLog.error({ err, settlement: settlement.kind }, 'could not record job outcome');
    }
  }

  function start(lease: Lease): void {
    const controller = new AbortController();
    const entry: Active = {
      lease,
      controller,
      aborted: null,
      released: false,
      timer: undefined,
      done: Promise.resolve(),
    };
    const abort = (why: AbortReason) => abortEntry(entry, why);
    const renew = async () => {
      if (entry.released) return;
      try {
        const r = await backend.renew(lease, leaseMs);
        if (!r.held) abort('lease_lost');
        else if (r.cancel) abort('cancel');
      } catch (err) {
        log.warn({ err, jobId: lease.job.id }, 'lease renewal failed; will retry');
      }
    };
    // Renewing is also how a cancel is noticed, so it happens at least every CANCEL_CHECK_MS.
    entry.timer = setInterval(renew, Math.max(20, Math.min(Math.floor(leaseMs / 3), CANCEL_CHECK_MS)));
    const ctx: HandlerContext = {
      signal: controller.signal,
      heartbeat: renew,
      progress: async (p) => {
        if (!entry.released) await backend.progress(lease, jobProgressSchema.parse(p));
      },
    };
    entry.done = (async () => {
      let end: HandlerEnd;
      try {
        end = { ok: true, value: await handler(lease.job, ctx) };
      } catch (error) {
        end = { ok: false, error };
      }
      if (entry.released) return;
      const settlement = settle(lease.job, end, entry.aborted, options.backoff);
      if (settlement) await write(entry, settlement);
      else {
        entry.released = true;
        clearInterval(entry.timer);
        log.warn({ jobId: lease.job.id }, 'lease lost while running; another worker owns the job now');
      }
    })().finally(() => {
      active.delete(lease.token);
      wake?.();
    });
    active.set(lease.token, entry);
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      if (active.size >= options.concurrency) {
        await idle(pollMs);
        continue;
      }
      let lease: Lease | null = null;
      try {
        lease = await backend.claim(owner, leaseMs);
      } catch (err) {
        log.warn({ err }, 'claiming a job failed; backing off');
      }
      if (lease && stopping) {
        await backend.settle(lease, { kind: 'handback' });
        break;
      }
      if (lease) start(lease);
      else await idle(pollMs);
    }
  }

  const loopDone = loop();
  const allDone = () => Promise.all([...active.values()].map((a) => a.done)).then(() => undefined);
  const within = (p: Promise<void>, ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      p.then(() => {
        clearTimeout(t);
        resolve();
      });
    });

  return {
    get running() {
      return active.size;
    },
    async stop({ graceMs }) {
      stopping = true;
      wake?.();
      await loopDone;
      await within(allDone(), graceMs);
      for (const entry of active.values()) abortEntry(entry, 'shutdown');
      await within(allDone(), options.abortSettleMs ?? 1000);
      // Handlers that ignore their signal are abandoned; the fenced writes keep them harmless.
      for (const entry of active.values()) {
        if (entry.released) continue;
        const cancelled = entry.aborted === 'cancel';
        await write(entry, cancelled ? { kind: 'cancelled', result: null } : { kind: 'handback' });
      }
      await backend.close();
      return { ...report };
    },
  };
}

function abortEntry(entry: Active, why: AbortReason): void {
  if (entry.aborted || entry.released) return;
  entry.aborted = why;
  entry.controller.abort(new JobAbortedError(why));
}
