import { describe, expect, it } from 'vitest';
import { applyRunEvent, createRunTally, formatRunProgress } from '../../src/eval/run-progress.ts';
import { fakeOutcome } from './run-support.ts';

describe('formatRunProgress', () => {
  it('shows the bar, done/total, an ETA from this session, tokens, cost and statuses', () => {
    const previous = [fakeOutcome('a').line];
    const tally = createRunTally(previous, 0);
    applyRunEvent(tally, { type: 'planned', total: 5, skipped: 1 });
    expect(formatRunProgress(tally, 0, 10)).toBe(
      '[##--------] 1/5 · ETA ? · 1.1k tokens · $0.01 · submitted 1',
    );
    applyRunEvent(tally, { type: 'started', instanceId: 'b' });
    expect(formatRunProgress(tally, 0, 10)).toContain('1/5 (1 running) ·');
    applyRunEvent(tally, { type: 'recorded', line: { ...fakeOutcome('b').line, exit_status: 'error' } });
    // One instance finished in 60 s; three are left.
    expect(formatRunProgress(tally, 60_000, 10)).toBe(
      '[####------] 2/5 · ETA 3m00s · 2.2k tokens · $0.02 · submitted 1, error 1',
    );
    expect(tally.running).toBe(0);
  });
});
