import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createReplyParser, type ExecutorEvent, encodeRequest } from '../../src/sandbox/executor.ts';
import { assembleOutput, capBuffer, splitCap } from '../../src/sandbox/output-cap.ts';

describe('executor protocol', () => {
  it('encodes lengths in bytes, not characters, and drops NUL bytes', () => {
    const buf = encodeRequest({
      id: 7,
      timeoutMs: 1500,
      headBytes: 10,
      tailBytes: 5,
      cwd: '/w',
      env: { A: 'é' },
      command: 'echo "ü"\0',
    });
    const text = buf.toString('utf8');
    expect(text.split('\n')[0]).toBe('7 1.500 1500000 10 5 2 1 9');
    expect(text.endsWith('/w4\nA=éecho "ü"')).toBe(true);
  });

  it('parses replies split at any byte and ignores lines without the nonce', () => {
    const events: ExecutorEvent[] = [];
    const parse = createReplyParser('N0NCE', (e) => events.push(e), {
      payloadLimit: (id) => (id <= 2 ? 100 : null),
      maxStrayBytes: 1000,
      onFlood: () => {
        throw new Error('not a flood');
      },
    });
    const stream = Buffer.from(
      'noise\nFAKE E 1 0 0 3 3\nabc\nN0NCE S 1 42\nN0NCE E 1 3 0 5 5\nhé\nxN0NCE S 2 43\n',
    );
    for (let i = 0; i < stream.length; i += 3) parse(stream.subarray(i, i + 3));
    expect(events).toEqual([
      { type: 'started', id: 1, pgid: 42 },
      { type: 'ended', id: 1, exitCode: 3, timedOut: false, totalBytes: 5, payload: Buffer.from('hé\nx') },
      { type: 'started', id: 2, pgid: 43 },
    ]);
  });

  it('drops headers for commands not in flight and payloads longer than the host asked for', () => {
    const events: ExecutorEvent[] = [];
    const parse = createReplyParser('N0NCE', (e) => events.push(e), {
      payloadLimit: (id) => (id === 1 ? 4 : null),
      maxStrayBytes: 1000,
      onFlood: () => {},
    });
    parse(Buffer.from('N0NCE E 9 0 0 1 1\nzN0NCE E 1 0 0 99 99\nN0NCE E 1 0 0 3 3\nabc'));
    expect(events).toEqual([
      { type: 'ended', id: 1, exitCode: 0, timedOut: false, totalBytes: 3, payload: Buffer.from('abc') },
    ]);
  });

  it('reads a 32 MB flood without a newline in bounded memory and linear time, then reports it (THREATS.md #29)', async () => {
    const events: ExecutorEvent[] = [];
    const floods: number[] = [];
    const parse = createReplyParser('N0NCE', (e) => events.push(e), {
      payloadLimit: () => 10,
      maxStrayBytes: 64 * 1024 * 1024,
      onFlood: (bytes) => floods.push(bytes),
    });
    // Near-misses of the nonce make a naive scanner keep everything; chunks as Docker sends them.
    const chunk = Buffer.from('N0NC'.repeat(16 * 1024));
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // V8 frees ArrayBuffer backing stores concurrently after a GC: collect and wait until it settles.
    const retained = async () => {
      for (let i = 0; i < 4; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 25));
      }
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const heapBefore = await retained();
    const started = performance.now();
    for (let sent = 0; sent < 32 * 1024 * 1024; sent += chunk.length) parse(chunk);
    const ms = performance.now() - started;
    const heapAfter = await retained();
    parse(Buffer.from('\nN0NCE S 1 7\n'));
    expect(events).toEqual([{ type: 'started', id: 1, pgid: 7 }]);
    expect(heapAfter - heapBefore).toBeLessThan(16 * 1024 * 1024);
    expect(ms).toBeLessThan(5_000);
    expect(floods).toEqual([]);

    const small = createReplyParser('N0NCE', () => {}, {
      payloadLimit: () => 10,
      maxStrayBytes: 1024 * 1024,
      onFlood: (bytes) => floods.push(bytes),
    });
    for (let sent = 0; sent < 4 * 1024 * 1024; sent += chunk.length) small(chunk);
    expect(floods).toHaveLength(1);
    expect(floods[0]).toBeGreaterThan(1024 * 1024);
  });
});

describe('output capping', () => {
  it('keeps short output whole', () => {
    expect(capBuffer(Buffer.from('hello'), 10)).toEqual({
      output: 'hello',
      truncated: false,
      elidedBytes: 0,
    });
  });

  it('keeps head and tail and counts what it elided', () => {
    const all = Buffer.from(`${'a'.repeat(100)}MIDDLE${'z'.repeat(100)}`);
    const capped = capBuffer(all, 20);
    expect(capped.truncated).toBe(true);
    expect(capped.elidedBytes).toBe(all.length - 20);
    expect(capped.output).toBe(
      `${'a'.repeat(10)}\n[... ${all.length - 20} bytes elided ...]\n${'z'.repeat(10)}`,
    );
  });

  it('assembles a head+tail payload from the executor', () => {
    const { headBytes, tailBytes } = splitCap(7);
    expect([headBytes, tailBytes]).toEqual([4, 3]);
    expect(assembleOutput(Buffer.from('headtai'), 1000, 4, 3).output).toBe(
      'head\n[... 993 bytes elided ...]\ntai',
    );
  });
});
