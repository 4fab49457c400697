import { EventEmitter } from 'node:events';
import { expect, it } from 'vitest';
import { keepServingOnStrayErrors } from '../../src/cli/last-resort.ts';
import { createLogger } from '../../src/core/log.ts';

it('logs a stray rejection or exception in full and keeps listening until released', () => {
  const lines: { level: number; msg: string; err?: { message: string; stack?: string } }[] = [];
  const logger = createLogger({ destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  const proc = new EventEmitter();
  const release = keepServingOnStrayErrors(proc, logger);
  proc.emit('unhandledRejection', new Error('a request went wrong'));
  proc.emit('uncaughtException', new Error('a socket went wrong'));
  expect(lines.map((l) => [l.level, l.err?.message])).toEqual([
    [50, 'a request went wrong'],
    [50, 'a socket went wrong'],
  ]);
  expect(lines[0]!.msg).toMatch(/kept serving/);
  expect(lines[0]!.err?.stack).toContain('last-resort.test.ts');
  release();
  expect(proc.listenerCount('unhandledRejection') + proc.listenerCount('uncaughtException')).toBe(0);
});
