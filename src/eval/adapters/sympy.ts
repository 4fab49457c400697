/**
 * sympy's own runner, `bin/test -C --verbose`, read as SWE-bench's `parse_log_sympy` reads it: a
 * `____ path.py:test_name ____` header over a traceback marks that key FAILED, and a line
 * `test_name ok|F|E` gives the test's status (`f`, `X`, `s` — expected failure, unexpected pass,
 * skip — give none). The quirk is kept on purpose: the last test of each file carries the file's
 * `[OK]`/`[FAIL]` after padding, so its line ends in neither and it is not reported; the dataset's
 * PASS_TO_PASS lists were made with this parser and leave those tests out.
 */
import type { TestStatus } from './types.ts';

const FAILURE_HEADER = /(_*) (.*)\.py:(.*) (_*)/g;

export function parseSympyLog(log: string): Map<string, TestStatus> {
  const map = new Map<string, TestStatus>();
  for (const m of log.matchAll(FAILURE_HEADER)) map.set(`${m[2]}.py:${m[3]}`, 'FAILED');
  for (const raw of log.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('test_')) continue;
    const test = line.split(/\s+/)[0] as string;
    if (line.endsWith(' E')) map.set(test, 'ERROR');
    if (line.endsWith(' F')) map.set(test, 'FAILED');
    if (line.endsWith(' ok')) map.set(test, 'PASSED');
  }
  return map;
}
