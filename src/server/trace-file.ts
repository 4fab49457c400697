/**
 * Reads a job's JSONL trace from the state directory. The location comes from the job record, so it
 * is resolved inside `root` and refused if it points elsewhere (`../`, absolute paths, symlinks out):
 * the API must never become a way to read arbitrary host files.
 */
import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

/** Traces bigger than this are served truncated, with a final line saying so. */
export const MAX_TRACE_BYTES = 32 * 1024 * 1024;

export async function readTraceFile(
  root: string,
  location: string,
  maxBytes = MAX_TRACE_BYTES,
): Promise<string | null> {
  const realRoot = await realpath(root);
  let path: string;
  try {
    path = await realpath(resolve(realRoot, location));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const rel = relative(realRoot, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  const data = await readFile(path);
  if (data.length <= maxBytes) return data.toString('utf8');
  const cut = data.subarray(0, maxBytes);
  const lastNewline = cut.lastIndexOf(0x0a);
  const kept = cut.subarray(0, lastNewline + 1).toString('utf8');
  return `${kept}${JSON.stringify({ type: 'truncated', omittedBytes: data.length - lastNewline - 1 })}\n`;
}
