/**
 * The intake consumer of `serve`: acts on the deliveries stored in the intake lane (src/app/events.ts)
 * and prunes old ones. Deliveries of one repository are handled one at a time (the lane's limit).
 */
import { createGitHubEventHandler, type EventDeps, GITHUB_EVENT_KIND } from '../../app/index.ts';
import { DELIVERY_RETENTION_MS, type JobQueue } from '../../jobs/index.ts';
import { createWorker } from '../../jobs/worker.ts';

/** Handling one delivery takes a few GitHub calls; a dead app's deliveries are picked up after this. */
export const INTAKE_LEASE_MS = 10_000;
/** Stored deliveries are what de-duplicates redeliveries; GitHub redelivers for days, not weeks. */
const PRUNE_EVERY_MS = 3_600_000;

export type IntakeDeps = EventDeps & { intake: JobQueue };

export function startIntakeConsumer(deps: IntakeDeps): { stop(graceMs: number): Promise<unknown> } {
  const { intake, ...eventDeps } = deps;
  const logger = deps.logger.child({ component: 'intake' });
  const consumer = createWorker({
    queue: intake,
    handlers: { [GITHUB_EVENT_KIND]: createGitHubEventHandler({ ...eventDeps, logger }) },
    concurrency: 4,
    leaseMs: INTAKE_LEASE_MS,
    pollMs: 50,
    logger,
  });
  const prune = () =>
    intake
      .prune({ finishedBefore: new Date(Date.now() - DELIVERY_RETENTION_MS) })
      .catch((err) => deps.logger.warn({ err }, 'pruning old deliveries failed'));
  void prune();
  const timer = setInterval(prune, PRUNE_EVERY_MS).unref();
  return {
    async stop(graceMs) {
      clearInterval(timer);
      return consumer.stop({ graceMs: Math.min(graceMs, INTAKE_LEASE_MS) });
    },
  };
}
