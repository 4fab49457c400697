import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTraceFile } from '../../src/server/trace-file.ts';

const base = mkdtempSync(join(tmpdir(), 'cj-trace-'));
const root = join(base, 'state');
mkdirSync(join(root, 'traces'), { recursive: true });
writeFileSync(join(root, 'traces', 'a.jsonl'), '{"type":"start"}\n{"type":"end"}\n');
writeFileSync(join(base, 'outside.txt'), 'secret');
symlinkSync(join(base, 'outside.txt'), join(root, 'traces', 'link.jsonl'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('readTraceFile', () => {
  it('reads a trace under the root', async () => {
    expect(await readTraceFile(root, 'traces/a.jsonl')).toBe('{"type":"start"}\n{"type":"end"}\n');
  });

  it('answers null for a missing trace', async () => {
    expect(await readTraceFile(root, 'traces/none.jsonl')).toBeNull();
  });

  it('refuses locations outside the root: .., absolute paths, symlinks out', async () => {
    expect(await readTraceFile(root, '../outside.txt')).toBeNull();
    expect(await readTraceFile(root, join(base, 'outside.txt'))).toBeNull();
    expect(await readTraceFile(root, 'traces/link.jsonl')).toBeNull();
    expect(await readTraceFile(root, '.')).toBeNull();
  });

  it('truncates at a line boundary and says how much was left out', async () => {
    const text = await readTraceFile(root, 'traces/a.jsonl', 20);
    expect(text).toBe('{"type":"start"}\n{"type":"truncated","omittedBytes":15}\n');
  });
});
