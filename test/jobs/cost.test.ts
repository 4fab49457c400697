import { describe, expect, it } from 'vitest';
import { aggregateCost, dailySeries, readJobHistory } from '../../src/jobs/cost.ts';
import type { JobRecord } from '../../src/jobs/types.ts';

const TABLES = {
  big: { inputPerMTokUsd: 3, outputPerMTokUsd: 15 },
  small: { inputPerMTokUsd: 0.1, outputPerMTokUsd: 0.4 },
};
let seq = 0;

function job(
  overrides: Partial<JobRecord> & { exitStatus?: string; tokens?: [number, number]; seconds?: number },
): JobRecord {
  const created = overrides.createdAt ?? new Date('2026-11-20T10:00:00Z');
  const started = new Date(created.getTime() + 1_000);
  const { exitStatus, tokens, seconds, ...rest } = overrides;
  return {
    id: `j${++seq}`,
    kind: 'fix',
    state: 'succeeded',
    payload: {},
    idempotencyKey: `k${seq}`,
    attempts: 1,
    maxAttempts: 3,
    priority: 0,
    repo: 'octo/a',
    installationId: null,
    createdAt: created,
    startedAt: started,
    finishedAt: new Date(started.getTime() + (seconds ?? 60) * 1000),
    runAfter: created,
    leaseOwner: null,
    leaseExpiresAt: null,
    progress: null,
    result: {
      exitStatus: exitStatus ?? 'validated',
      usage: { promptTokens: tokens?.[0] ?? 1_000_000, completionTokens: tokens?.[1] ?? 100_000 },
      costUsd: 0,
    },
    error: null,
    cancel: null,
    ...rest,
  };
}

describe('aggregateCost', () => {
  it('sums runs, resolved, tokens, time and cloud prices per repository and in total', () => {
    const jobs = [
      job({ repo: 'octo/a', seconds: 60 }),
      job({ repo: 'octo/a', exitStatus: 'no_patch', tokens: [500_000, 50_000], seconds: 30 }),
      job({ repo: 'octo/b', kind: 'github-fix', exitStatus: 'succeeded', tokens: [0, 0], seconds: 10 }),
      job({ repo: 'octo/b', state: 'failed', result: null, seconds: 5 }),
      // Not runs: still queued, or a webhook delivery.
      job({ repo: 'octo/a', state: 'queued', startedAt: null, finishedAt: null }),
      job({ repo: 'octo/a', kind: 'github-event' }),
    ];
    const report = aggregateCost(jobs, { priceTables: TABLES });
    expect(report.byRepo['octo/a']).toMatchObject({
      runs: 2,
      resolved: 1,
      failed: 1,
      promptTokens: 1_500_000,
      completionTokens: 150_000,
      runSeconds: 90,
    });
    // 1.5 M prompt * $3 + 0.15 M completion * $15
    expect(report.byRepo['octo/a']?.cloudCostUsd.big).toBeCloseTo(4.5 + 2.25, 6);
    expect(report.byRepo['octo/a']?.cloudCostUsd.small).toBeCloseTo(0.15 + 0.06, 6);
    expect(report.byRepo['octo/b']).toMatchObject({ runs: 2, resolved: 1, failed: 1, runSeconds: 15 });
    expect(report.total).toMatchObject({
      runs: 4,
      resolved: 2,
      failed: 2,
      promptTokens: 1_500_000,
      runSeconds: 105,
    });
    expect(Object.keys(report.byRepo)).toEqual(['octo/a', 'octo/b']);
  });

  it('leaves out runs created before `since`', () => {
    const old = job({ createdAt: new Date('2026-11-01T00:00:00Z') });
    const recent = job({ createdAt: new Date('2026-11-25T00:00:00Z') });
    const report = aggregateCost([old, recent], { priceTables: {}, since: new Date('2026-11-20T00:00:00Z') });
    expect(report.total.runs).toBe(1);
    expect(report.since).toBe('2026-11-20T00:00:00.000Z');
  });
});

describe('dailySeries', () => {
  it('has one point per day, oldest first, with null success rate on empty days', () => {
    const now = new Date('2026-11-22T12:00:00Z');
    const points = dailySeries(
      [
        job({ createdAt: new Date('2026-11-22T01:00:00Z') }),
        job({ createdAt: new Date('2026-11-22T02:00:00Z'), exitStatus: 'failed_validation' }),
        job({ createdAt: new Date('2026-11-20T02:00:00Z') }),
        job({ createdAt: new Date('2026-10-01T02:00:00Z') }),
      ],
      { days: 3, now, priceTables: TABLES },
    );
    expect(points.map((p) => [p.day, p.runs, p.successRate])).toEqual([
      ['2026-11-20', 1, 1],
      ['2026-11-21', 0, null],
      ['2026-11-22', 2, 0.5],
    ]);
    expect(points[2]?.cloudCostUsd.big).toBeCloseTo(2 * (3 + 1.5), 6);
  });
});

describe('readJobHistory', () => {
  it('pages newest first and stops at `since` or `max`', async () => {
    const all = Array.from({ length: 450 }, (_, i) =>
      job({ createdAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000) }),
    ).reverse();
    const pages: (string | undefined)[] = [];
    const queue = {
      async list(q: { limit: number; before?: string }) {
        pages.push(q.before);
        const start = q.before ? all.findIndex((j) => j.id === q.before) + 1 : 0;
        const page = all.slice(start, start + q.limit);
        return { jobs: page, nextBefore: start + q.limit < all.length ? (page.at(-1)?.id ?? null) : null };
      },
    };
    const every = await readJobHistory(queue);
    expect(every.jobs).toHaveLength(450);
    expect(every.complete).toBe(true);
    expect(pages).toHaveLength(3);
    const since = await readJobHistory(queue, { since: all[99]?.createdAt as Date });
    expect(since.jobs).toHaveLength(100);
    const capped = await readJobHistory(queue, { max: 10 });
    expect(capped).toMatchObject({ complete: false });
    expect(capped.jobs).toHaveLength(10);
  });
});
