import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/github/commands.ts';

describe('parseCommand', () => {
  it('parses fix with extra instructions, across lines', () => {
    expect(parseCommand('/conjecture fix use the v2 API\nand keep the tests')).toEqual({
      kind: 'command',
      command: { verb: 'fix', args: 'use the v2 API\nand keep the tests' },
    });
  });

  it('parses the other verbs and ignores their arguments', () => {
    for (const verb of ['cancel', 'retry', 'status', 'help'] as const) {
      expect(parseCommand(`thanks!\n/conjecture ${verb} now`)).toEqual({
        kind: 'command',
        command: { verb, args: '' },
      });
    }
    expect(parseCommand('/Conjecture FIX')).toEqual({ kind: 'command', command: { verb: 'fix', args: '' } });
  });

  it('treats a bare /conjecture as help and reports unknown verbs', () => {
    expect(parseCommand('/conjecture')).toEqual({ kind: 'command', command: { verb: 'help', args: '' } });
    expect(parseCommand('/conjecture deploy')).toEqual({ kind: 'unknown', word: 'deploy' });
  });

  it('ignores quoted commands, code blocks and mid-line mentions', () => {
    expect(parseCommand('> /conjecture fix')).toEqual({ kind: 'none' });
    expect(parseCommand('```\n/conjecture fix\n```')).toEqual({ kind: 'none' });
    expect(parseCommand('please run /conjecture fix')).toEqual({ kind: 'none' });
    expect(parseCommand('/conjectures fix')).toEqual({ kind: 'none' });
  });
});
