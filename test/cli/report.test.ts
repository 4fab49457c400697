/** `conjecture report cost` as a user runs it: the real CLI over a real SQLite job history. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatCostReport, parseSince } from '../../src/cli/commands/report.ts';
import { silentLogger } from '../../src/core/log.ts';
import { aggregateCost } from '../../src/jobs/cost.ts';
import { createSqliteJobQueue } from '../../src/jobs/sqlite/queue.ts';
import { finishJobs } from '../server/finished-jobs.ts';
import { runCli, STACK_FRAME, tempDir } from './run-cli.ts';

const stateDir = tempDir('report-state-');
const env = { CONJECTURE_STATE_DIR: stateDir };

beforeAll(async () => {
  const queue = createSqliteJobQueue({ path: join(stateDir, 'jobs.sqlite'), logger: silentLogger() });
  try {
    await finishJobs(queue, [
      {
        repo: 'octo/a',
        title: 'one',
        result: { exitStatus: 'validated', usage: { promptTokens: 2_000_000, completionTokens: 100_000 } },
      },
      {
        repo: 'octo/a',
        title: 'two',
        result: { exitStatus: 'no_patch', usage: { promptTokens: 1_000_000, completionTokens: 0 } },
      },
      { repo: 'octo/b', title: 'three', result: null },
    ]);
  } finally {
    await queue.close();
  }
});

describe('conjecture report cost', () => {
  it('prints runs, resolved, tokens and cloud prices per repository and in total (--json)', async () => {
    const r = await runCli(['report', 'cost', '--json', '--since', '1d'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.complete).toBe(true);
    expect(report.byRepo['octo/a']).toMatchObject({
      runs: 2,
      resolved: 1,
      failed: 1,
      promptTokens: 3_000_000,
      completionTokens: 100_000,
    });
    expect(report.byRepo['octo/b']).toMatchObject({ runs: 1, resolved: 0, failed: 1 });
    expect(report.total.runs).toBe(3);
    // The default tables: 3 M prompt + 0.1 M completion at gpt-4o's $2.50 / $10 per M.
    expect(report.total.cloudCostUsd['gpt-4o']).toBeCloseTo(7.5 + 1, 6);
  });

  it('prints a table for people, and nothing for a window with no runs', async () => {
    const r = await runCli(['report', 'cost'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^octo\/a\s+2\s+1 \(50%\)\s+3,000,000\s+100,000/m);
    expect(r.stdout).toMatch(/^total\s+3\s+1 \(33%\)/m);
    const future = await runCli(['report', 'cost', '--since', '2999-01-01'], { env });
    expect(future.stdout).toContain('No finished runs in this window.');
  });

  it('answers a bad --since or report name with a usage error, not a stack', async () => {
    for (const args of [
      ['report', 'cost', '--since', 'yesterday'],
      ['report', 'money'],
    ]) {
      const r = await runCli(args, { env });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/since|expected cost/);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
  });
});

describe('parseSince and formatCostReport', () => {
  const now = new Date('2026-11-29T00:00:00Z');
  it('reads relative windows and dates', () => {
    expect(parseSince('7d', now).toISOString()).toBe('2026-11-22T00:00:00.000Z');
    expect(parseSince('12h', now).toISOString()).toBe('2026-11-28T12:00:00.000Z');
    expect(parseSince('2w', now).toISOString()).toBe('2026-11-15T00:00:00.000Z');
    expect(parseSince('2026-11-01', now).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(() => parseSince('7 days', now)).toThrow(/cannot read/);
  });

  it('has one column per price table', () => {
    const report = aggregateCost([], {
      priceTables: { alpha: { inputPerMTokUsd: 1, outputPerMTokUsd: 1 } },
      now,
    });
    expect(formatCostReport(report)[2]).toMatch(
      /^repository\s+runs\s+resolved\s+tokens in\s+tokens out\s+run time\s+at alpha$/,
    );
  });
});
