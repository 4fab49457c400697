import { describe, expect, it } from 'vitest';
import { parseSetFlags } from '../../src/config/set-flags.ts';

describe('parseSetFlags', () => {
  it('types values by the schema', () => {
    expect(
      parseSetFlags([
        'agent.stepLimit=12',
        'sandbox.network=false',
        'github.allowBots=a,b',
        'model.name=x=y',
      ]),
    ).toEqual({
      flags: {
        'agent.stepLimit': 12,
        'sandbox.network': false,
        'github.allowBots': ['a', 'b'],
        'model.name': 'x=y',
      },
      issues: [],
    });
  });

  it('reports malformed pairs, unknown settings, wrong types and out-of-range values by flag', () => {
    const { flags, issues } = parseSetFlags([
      'stepLimit',
      'model.nmae=x',
      'agent.stepLimit=ten',
      'model.temperature=5',
    ]);
    expect(flags).toEqual({});
    expect(issues).toEqual([
      { source: '--set', path: 'stepLimit', message: expect.stringContaining('expected key.path=value') },
      { source: '--set', path: 'model.nmae', message: expect.stringContaining('unknown setting') },
      { source: '--set', path: 'agent.stepLimit', message: 'expected a number, got "ten"' },
      { source: '--set', path: 'model.temperature', message: expect.stringMatching(/2/) },
    ]);
  });
});
