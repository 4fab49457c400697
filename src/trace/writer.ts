/**
 * The trace as JSONL: one event per line, redacted and appended as it happens, so a crash loses at
 * most the line being written (readTrace skips such a torn line).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TraceEvent } from '../core/trace.ts';
import { createRedactor, type Redactor } from './redact.ts';

export interface TraceWriter {
  readonly path: string;
  write(event: TraceEvent): void;
}

const EVENT_TYPES = new Set(['start', 'message', 'step', 'format_error', 'validation', 'end']);

function redactDeep<T>(value: T, redactor: Redactor): T {
  if (typeof value === 'string') return redactor.redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redactor)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redactor)])) as T;
  return value;
}

/**
 * Appends events to `path` (parent directories are created); every string is redacted first. A
 * trace already at `path` is from an earlier run into the same place — for a job, one that died (a worker killed
 * mid-run, then the job re-run after its lease ran out): it is moved aside to
 * `<name>.previous-<n>.jsonl`, so this trace holds this run's steps only (issue 14).
 */
export function createTraceWriter(path: string, options: { secrets?: readonly string[] } = {}): TraceWriter {
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path)) renameSync(path, asidePath(path));
  const redactor = createRedactor(options.secrets ?? []);
  return {
    path,
    write(event) {
      // Synchronous on purpose: the line is on disk before the next step starts.
      appendFileSync(path, `${JSON.stringify(redactDeep(event, redactor))}\n`);
    },
  };
}

function asidePath(path: string): string {
  const stem = path.replace(/\.jsonl$/, '');
  for (let n = 1; ; n++) {
    const candidate = `${stem}.previous-${n}.jsonl`;
    if (!existsSync(candidate)) return candidate;
  }
}

/**
 * Reads a trace; a missing file is an empty trace. Lines that are not events — a torn last line
 * after a crash, or the `truncated` marker the API appends — are skipped.
 */
export function readTrace(path: string): TraceEvent[] {
  if (!existsSync(path)) return [];
  return parseTrace(readFileSync(path, 'utf8'));
}

/** The events in JSONL trace text (e.g. as the API serves it), skipping lines that are not events. */
export function parseTrace(text: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const type = (parsed as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && EVENT_TYPES.has(type)) events.push(parsed as TraceEvent);
  }
  return events;
}
