/**
 * Issue 14, item 2: nothing from the internet can kill the server. The real `conjecture serve`
 * (child process, loopback) takes 2,000 concurrent requests — aborted and reset uploads, slow-loris
 * headers and bodies, oversized bodies, bad and missing signatures, malformed and truncated JSON,
 * odd-but-signed payloads — with 200 valid signed deliveries among them (test/support/abuse-soak.ts;
 * a larger run: bench/intake/abuse-soak.ts). Figures are printed.
 */
import { expect, it } from 'vitest';
import { formatSoakReport, KINDS, runAbuseSoak } from '../support/abuse-soak.ts';
import { describeIf, missingCommand } from '../support/prereq.ts';

/** The stated bound: RSS may grow by at most this over its value before the storm. */
const RSS_BOUND_MB = 200;

describeIf(missingCommand('git'), 'abuse soak', () => {
  it('2,000 hostile requests at once: the server stays up, bounded, and stores every valid delivery once', async () => {
    const report = await runAbuseSoak({ total: 2_000, valid: 200 });
    console.log(formatSoakReport(report));

    expect(report.serverAlive).toBe(true);
    expect(report.rssMb.peak - report.rssMb.start).toBeLessThan(RSS_BOUND_MB);
    expect(report.validStored).toBe(report.validSent);
    expect(report.validAcknowledged).toBe(report.validSent);
    expect(report.duplicateStored).toBe(0);
    expect(report.strayStored).toBe(0);
    // Never a 5xx; every reply to abuse is a 4xx, or a 200 that ignores it (no installation).
    for (const kind of KINDS) {
      const statuses = Object.keys(report.statuses[kind]).map(Number);
      expect(
        statuses.filter((s) => s >= 500),
        kind,
      ).toEqual([]);
      if (kind === 'valid') expect(statuses, kind).toEqual([200]);
      else if (kind === 'no_installation') expect(statuses, kind).toEqual([200]);
      else
        expect(
          statuses.every((s) => s === 0 || (s >= 400 && s < 500)),
          kind,
        ).toBe(true);
    }
    for (const kind of [
      'slow_headers',
      'slow_body',
      'oversized_declared',
      'bad_signature',
      'unsigned',
    ] as const)
      expect(Object.keys(report.statuses[kind]), kind).not.toContain('0');
    expect(report.serverErrorLines).toEqual([]);
    // Right after, a valid delivery is answered at normal latency.
    expect(report.latencyMs.afterP50).toBeLessThan(Math.max(5 * report.latencyMs.baselineP50, 100));
  }, 180_000);
});
