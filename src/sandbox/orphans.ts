/**
 * Containers are removed by `dispose()`, by themselves when their host process disappears (the
 * executor sees stdin close, exits, and AutoRemove deletes the container), and, as a last line, by
 * this sweep at startup: labelled containers whose owner process on this host is gone.
 */
import { hostname } from 'node:os';
import type { Logger } from '../core/log.ts';
import type { DockerApi } from './docker-api.ts';

export const SANDBOX_LABEL = 'dev.conjecture.sandbox';
export const OWNER_PID_LABEL = 'dev.conjecture.owner-pid';
export const OWNER_HOST_LABEL = 'dev.conjecture.owner-host';

interface ContainerSummary {
  Id: string;
  Labels: Record<string, string>;
}

/** Is process `pid` (on this host) still there? EPERM means it is, under another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function sweepOrphans(api: DockerApi, logger: Logger): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${SANDBOX_LABEL}=1`] }));
  const { body } = await api.call<ContainerSummary[]>('GET', `/containers/json?all=1&filters=${filters}`);
  const removed: string[] = [];
  for (const c of body) {
    const pid = Number(c.Labels[OWNER_PID_LABEL]);
    if (c.Labels[OWNER_HOST_LABEL] !== hostname() || (Number.isInteger(pid) && pid > 0 && processAlive(pid)))
      continue;
    await api.call('DELETE', `/containers/${c.Id}?force=1`, undefined, { okStatuses: [404, 409] });
    removed.push(c.Id);
  }
  if (removed.length > 0) logger.info({ count: removed.length }, 'removed orphaned sandbox containers');
  return removed;
}
