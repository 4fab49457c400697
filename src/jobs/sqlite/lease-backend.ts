/**
 * Claiming and settling jobs in SQLite. A claim is one `BEGIN IMMEDIATE` transaction: first end the
 * jobs whose worker died too often (or died after a cancel request), then one atomic
 * `UPDATE … WHERE id = (SELECT …) RETURNING *` that picks the best runnable job — queued and past
 * its backoff, or running with an expired lease — under the per-repository and per-installation
 * limits. Only live leases count against the limits, so a dead worker's slot frees itself.
 */
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { LEASE_EXPIRED_TOO_OFTEN, type Lease, type LeaseBackend, type Settlement } from '../lease.ts';
import type { ClaimLimits, JobProgress } from '../types.ts';
import { transaction } from './database.ts';
import { type Row, rowToRecord } from './rows.ts';

const END_LEASE = 'lease_owner = NULL, lease_expires_at = NULL';

const CLAIM = `
UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = :token,
  lease_expires_at = :now + :leaseMs, started_at = :now
WHERE id = (
  SELECT j.id FROM jobs j
  WHERE ((j.state = 'queued' AND j.run_after <= :now) OR (j.state = 'running' AND j.lease_expires_at < :now))
    AND (SELECT count(*) FROM jobs r
         WHERE r.state = 'running' AND r.lease_expires_at >= :now AND r.repo = j.repo) < :perRepo
    AND (j.installation_id IS NULL OR (SELECT count(*) FROM jobs r
         WHERE r.state = 'running' AND r.lease_expires_at >= :now
           AND r.installation_id = j.installation_id) < :perInst)
  ORDER BY j.priority DESC, j.seq ASC
  LIMIT 1)
RETURNING *`;

const FENCE = `WHERE id = :id AND lease_owner = :token AND state = 'running'`;

export function createSqliteLeaseBackend(db: DatabaseSync, limits: ClaimLimits): LeaseBackend {
  const endCrashed = db.prepare(
    `UPDATE jobs SET state = 'failed', finished_at = :now, error = :error, ${END_LEASE}
     WHERE state = 'running' AND lease_expires_at < :now AND attempts >= max_attempts AND cancel_by IS NULL`,
  );
  const endCancelled = db.prepare(
    `UPDATE jobs SET state = 'cancelled', finished_at = :now, ${END_LEASE}
     WHERE state = 'running' AND lease_expires_at < :now AND cancel_by IS NOT NULL`,
  );
  const claim = db.prepare(CLAIM);
  const renew = db.prepare(
    `UPDATE jobs SET lease_expires_at = :expires ${FENCE} RETURNING cancel_by, cancel_reason, cancel_at`,
  );
  const progress = db.prepare(`UPDATE jobs SET progress = :progress ${FENCE}`);
  const settleStatements = {
    succeeded: db.prepare(
      `UPDATE jobs SET state = 'succeeded', finished_at = :now, result = :result, error = NULL, ${END_LEASE} ${FENCE}`,
    ),
    failed: db.prepare(
      `UPDATE jobs SET state = 'failed', finished_at = :now, error = :error, ${END_LEASE} ${FENCE}`,
    ),
    retry: db.prepare(
      `UPDATE jobs SET state = 'queued', run_after = :runAfter, error = :error, ${END_LEASE} ${FENCE}`,
    ),
    cancelled: db.prepare(
      `UPDATE jobs SET state = 'cancelled', finished_at = :now, result = :result, ${END_LEASE} ${FENCE}`,
    ),
    handback: db.prepare(
      `UPDATE jobs SET state = 'queued', run_after = :now, attempts = max(attempts - 1, 0), ${END_LEASE} ${FENCE}`,
    ),
  };

  return {
    async claim(owner, leaseMs) {
      const now = Date.now();
      const token = `${owner}#${randomUUID().slice(0, 8)}`;
      const row = transaction(db, () => {
        endCrashed.run({ now, error: JSON.stringify(LEASE_EXPIRED_TOO_OFTEN) });
        endCancelled.run({ now });
        return claim.get({
          token,
          now,
          leaseMs,
          perRepo: limits.perRepository,
          perInst: limits.perInstallation,
        }) as Row | undefined;
      });
      return row ? { job: rowToRecord(row), token } : null;
    },

    async renew(lease, leaseMs) {
      const row = renew.get({ id: lease.job.id, token: lease.token, expires: Date.now() + leaseMs }) as
        | Row
        | undefined;
      if (!row) return { held: false, cancel: null };
      const cancel =
        typeof row.cancel_by === 'string'
          ? {
              by: row.cancel_by,
              reason: String(row.cancel_reason ?? ''),
              at: new Date(Number(row.cancel_at)),
            }
          : null;
      return { held: true, cancel };
    },

    async progress(lease: Lease, p: JobProgress) {
      progress.run({ id: lease.job.id, token: lease.token, progress: JSON.stringify(p) });
    },

    async settle(lease, s: Settlement) {
      const now = Date.now();
      const fence = { id: lease.job.id, token: lease.token };
      const res =
        s.kind === 'succeeded'
          ? settleStatements.succeeded.run({ ...fence, now, result: JSON.stringify(s.result) })
          : s.kind === 'failed'
            ? settleStatements.failed.run({ ...fence, now, error: JSON.stringify(s.error) })
            : s.kind === 'retry'
              ? settleStatements.retry.run({
                  ...fence,
                  runAfter: now + s.delayMs,
                  error: JSON.stringify(s.error),
                })
              : s.kind === 'cancelled'
                ? settleStatements.cancelled.run({
                    ...fence,
                    now,
                    result: s.result ? JSON.stringify(s.result) : null,
                  })
                : settleStatements.handback.run({ ...fence, now });
      return Number(res.changes) === 1;
    },

    async close() {},
  };
}
