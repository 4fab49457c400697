import { describe, expect, it } from 'vitest';
import { findCommandWord, parseOptions } from '../../src/cli/args.ts';
import type { CliOption } from '../../src/cli/command.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { GLOBAL_OPTIONS } from '../../src/cli/global-options.ts';

const options: Record<string, CliOption> = {
  ...GLOBAL_OPTIONS,
  repo: { type: 'string', valueName: 'DIR', description: 'repo' },
};

function usageError(argv: string[]): UsageError {
  try {
    parseOptions(argv, options, 'config');
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('findCommandWord', () => {
  it('skips global flags and their values', () => {
    expect(findCommandWord(['--config', 'c.yml', '--set', 'a=1', 'doctor', 'x'], GLOBAL_OPTIONS)).toEqual({
      name: 'doctor',
      index: 4,
    });
    expect(findCommandWord(['--json', '-q'], GLOBAL_OPTIONS)).toBeUndefined();
  });
});

describe('parseOptions', () => {
  it('collects repeated --set, short flags and positionals', () => {
    const { values, positionals } = parseOptions(
      ['check', '-q', '--set', 'a=1', '--set=b=2', '--repo', 'r'],
      options,
    );
    expect(values).toMatchObject({ quiet: true, set: ['a=1', 'b=2'], repo: 'r' });
    expect(positionals).toEqual(['check']);
  });

  it('names an unknown flag and the help to read', () => {
    const err = usageError(['--colour']);
    expect(err.message).toBe('unknown option --colour');
    expect(err.hint).toBe('see conjecture config --help');
  });

  it('says what a flag without its value expected, even when the next word is a flag', () => {
    expect(usageError(['--repo']).message).toBe('--repo needs a value: expected DIR');
    expect(usageError(['--repo', '--json']).message).toBe('--repo needs a value: expected DIR');
    expect(usageError(['--config=']).message).toBe('--config needs a value: expected FILE');
  });

  it('refuses a value for a boolean flag and a value outside the choices', () => {
    expect(usageError(['--json=yes']).message).toBe('--json takes no value');
    expect(usageError(['--log-level', 'loud']).message).toMatch(
      /^--log-level: expected one of fatal, .*, got "loud"$/,
    );
  });
});
