import { describe, expect, it } from 'vitest';
import { createProgress, progressMode } from '../../src/cli/progress.ts';
import { captureStream } from './capture.ts';

function clock(...times: number[]) {
  return () => times.shift() ?? 0;
}

describe('progress', () => {
  it('picks silent for --json/--quiet, a spinner on a TTY, plain lines otherwise', () => {
    expect(progressMode({ json: true, quiet: false, isTTY: true })).toBe('silent');
    expect(progressMode({ json: false, quiet: true, isTTY: true })).toBe('silent');
    expect(progressMode({ json: false, quiet: false, isTTY: true })).toBe('tty');
    expect(progressMode({ json: false, quiet: false, isTTY: undefined })).toBe('plain');
  });

  it('plain mode prints one line per event with the duration', async () => {
    const stream = captureStream();
    const progress = createProgress({ stream, mode: 'plain', now: clock(0, 1500) });
    await progress.step('cloning', async (step) => step.update('objects 10/20'));
    expect(stream.text()).toBe('… cloning\n  cloning: objects 10/20\n✔ cloning (1.5s)\n');
  });

  it('a failing step prints ✖ with the first line of the error and rethrows', async () => {
    const stream = captureStream();
    const progress = createProgress({ stream, mode: 'plain', now: clock(0, 200) });
    await expect(
      progress.step('setup', async () => Promise.reject(new Error('npm ci failed\nmore'))),
    ).rejects.toThrow('npm ci');
    expect(stream.text()).toBe('… setup\n✖ setup: npm ci failed (0.2s)\n');
  });

  it('tty mode redraws one line and ends it', () => {
    const stream = captureStream(true);
    const handle = createProgress({ stream, mode: 'tty', now: clock(0, 100), intervalMs: 10_000 }).start(
      'agent',
    );
    handle.update('step 3/40');
    handle.succeed();
    handle.fail('ignored after the end');
    expect(stream.text()).toBe('\r\x1b[2K⠋ agent\r\x1b[2K⠙ agent: step 3/40\r\x1b[2K✔ agent (0.1s)\n');
  });

  it('silent mode writes nothing', async () => {
    const stream = captureStream();
    await createProgress({ stream, mode: 'silent' }).step('x', async () => 1);
    expect(stream.text()).toBe('');
  });
});
