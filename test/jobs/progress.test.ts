import { describe, expect, it } from 'vitest';
import { describeProgress, toJobProgress } from '../../src/jobs/progress.ts';

describe('job progress', () => {
  it('keeps phase, step, total and a bounded detail from a run report', () => {
    expect(toJobProgress({ phase: 'agent', step: 7, maxSteps: 40, detail: '' })).toEqual({
      phase: 'agent',
      step: 7,
      total: 40,
    });
    expect(toJobProgress({ phase: 'baseline', detail: 'x'.repeat(500) }).detail).toHaveLength(200);
  });

  it('reads as people say it', () => {
    expect(describeProgress({ phase: 'agent', step: 7, total: 40 })).toBe('agent step 7 of 40');
    expect(describeProgress({ phase: 'agent', step: 3 })).toBe('agent step 3');
    expect(describeProgress({ phase: 'baseline', detail: 'npm test' })).toBe('baseline: npm test');
    expect(describeProgress({ phase: 'checkout' })).toBe('checkout');
  });
});
