import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/core/trace.ts';
import { createTraceWriter, readTrace } from '../../src/trace/index.ts';

const SECRET = 'model-api-key-0123456789';
const usage = { promptTokens: 10, completionTokens: 5, estimated: false };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'trace-writer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createTraceWriter', () => {
  it('appends one redacted JSON line per event as it happens', () => {
    const path = join(dir, 'nested', 'trace.jsonl');
    const writer = createTraceWriter(path, { secrets: [SECRET] });
    expect(writer.path).toBe(path);
    writer.write({ type: 'start', at: 't0', taskId: 'x', model: 'm', attempt: 1, config: { key: SECRET } });
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(2);
    const step: TraceEvent = {
      type: 'step',
      at: 't1',
      step: 1,
      thought: `use ${SECRET}`,
      command: `curl -H "Authorization: Bearer ${SECRET}" http://127.0.0.1`,
      observation: `ghp_${'a'.repeat(36)} ${Buffer.from(SECRET).toString('base64')}`,
      exitCode: 0,
      timedOut: false,
      modelMs: 1,
      execMs: 2,
      usage,
    };
    writer.write(step);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('ghp_a');
    expect(text).not.toContain(Buffer.from(SECRET).toString('base64').slice(0, 20));
    const events = readTrace(path);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'start', config: { key: '[REDACTED]' } });
    expect(events[1]).toMatchObject({ type: 'step', thought: 'use [REDACTED]', exitCode: 0, usage });
  });
});

describe('readTrace', () => {
  it('skips a torn last line and lines that are not events', () => {
    const path = join(dir, 'trace.jsonl');
    const writer = createTraceWriter(path);
    writer.write({ type: 'validation', at: 't', phase: 'baseline', summary: 's', passed: false });
    writer.write({ type: 'end', at: 't', exitStatus: 'submitted', patchBytes: 3 });
    appendFileSync(path, '{"type":"truncated","omittedBytes":5}\n{"type":"step","at":"t","ste');
    expect(readTrace(path).map((e) => e.type)).toEqual(['validation', 'end']);
  });

  it('reads a missing file as an empty trace', () => {
    expect(readTrace(join(dir, 'none.jsonl'))).toEqual([]);
  });
});

describe('a new writer on an existing trace', () => {
  it('moves the earlier run aside, so the trace holds this run only', () => {
    const path = join(dir, 'rerun', 'trace.jsonl');
    const dead = createTraceWriter(path);
    dead.write({ type: 'start', at: 't', taskId: 'j1', model: 'm', attempt: 1 });
    dead.write({ type: 'end', at: 't', exitStatus: 'error', patchBytes: 0 });
    const rerun = createTraceWriter(path);
    rerun.write({ type: 'start', at: 't2', taskId: 'j1', model: 'm', attempt: 1 });
    expect(readTrace(path)).toEqual([{ type: 'start', at: 't2', taskId: 'j1', model: 'm', attempt: 1 }]);
    expect(readTrace(join(dir, 'rerun', 'trace.previous-1.jsonl')).map((e) => e.type)).toEqual([
      'start',
      'end',
    ]);
    createTraceWriter(path);
    expect(readTrace(join(dir, 'rerun', 'trace.previous-2.jsonl'))).toHaveLength(1);
  });
});
