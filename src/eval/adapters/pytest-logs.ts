/**
 * The pytest `-rA` log parsers of SWE-bench's harness for the repositories that do not use the
 * plain one (`parse_log_pytest`, see pytest.ts): each keeps its upstream quirks, because the
 * dataset's test ids were produced by them.
 * - options (requests, pylint): a parametrised id whose parameter is an absolute path keeps only
 *   the path's last part (`test_x[/tmp/abc/file]` -> `test_x[/file]`);
 * - v2 (astropy, scikit-learn, sphinx): colour codes and control characters are dropped, a
 *   FAILED line loses its ` - message`, the id is everything after the status (ids with spaces),
 *   and lines that END with a status (old pytest's `-v` lines) count too;
 * - seaborn: FAILED lines, `id PASSED` lines and PASSED lines; nothing else;
 * - matplotlib: the plain parser after `MouseButton.LEFT/RIGHT` became 1/3 in parametrised ids.
 */
import type { TestStatus } from './types.ts';

const STATUSES: readonly TestStatus[] = ['FAILED', 'PASSED', 'SKIPPED', 'ERROR', 'XFAIL'];
const SKIP_COUNT = /^\[\d+\]$/;

function statusAtStart(line: string): boolean {
  return STATUSES.some((s) => line.startsWith(s));
}

/** `SKIPPED [2] file:12: reason` is a summary of skips, not a test. */
function isSkipSummary(status: string, name: string): boolean {
  return status === 'SKIPPED' && SKIP_COUNT.test(name);
}

function words(line: string): string[] {
  return line.split(/\s+/).filter(Boolean);
}

/** SWE-bench's `parse_log_pytest`, with an optional rewrite of the id. */
export function parsePytestLog(log: string, rename: (id: string) => string = (id) => id) {
  const map = new Map<string, TestStatus>();
  for (let line of log.split('\n')) {
    if (!statusAtStart(line)) continue;
    if (line.startsWith('FAILED')) line = line.replaceAll(' - ', ' ');
    const [status, name] = words(line);
    if (!status || !name || isSkipSummary(status, name)) continue;
    map.set(rename(name), status as TestStatus);
  }
  return map;
}

const OPTION = /(.*?)\[(.*)\]/;

export function parsePytestOptionsLog(log: string): Map<string, TestStatus> {
  return parsePytestLog(log, (name) => {
    const m = OPTION.exec(name);
    if (!m) return name;
    let option = m[2] as string;
    if (option.startsWith('/') && !option.startsWith('//') && !option.includes('*'))
      option = `/${option.split('/').at(-1)}`;
    return `${m[1]}[${option}]`;
  });
}

export function parseMatplotlibLog(log: string): Map<string, TestStatus> {
  const cleaned = log.replaceAll('MouseButton.LEFT', '1').replaceAll('MouseButton.RIGHT', '3');
  return parsePytestLog(cleaned);
}

// Characters 1-31 (tab and carriage return included), as upstream strips them.
const CONTROL = /[\u0001-\u001f]/g;

export function parsePytestV2Log(log: string): Map<string, TestStatus> {
  const map = new Map<string, TestStatus>();
  for (const raw of log.split('\n')) {
    let line = raw.replace(/\[(\d+)m/g, '').replace(CONTROL, '');
    if (statusAtStart(line)) {
      if (line.startsWith('FAILED')) line = line.split(' - ')[0] as string;
      const parts = words(line);
      if (parts.length >= 2 && !isSkipSummary(parts[0] as string, parts[1] as string))
        map.set(parts.slice(1).join(' '), parts[0] as TestStatus);
    } else if (STATUSES.some((s) => line.endsWith(s))) {
      const parts = words(line);
      if (parts.length >= 2) map.set(parts.slice(0, -1).join(' '), parts.at(-1) as TestStatus);
    }
  }
  return map;
}

export function parseSeabornLog(log: string): Map<string, TestStatus> {
  const map = new Map<string, TestStatus>();
  for (const line of log.split('\n')) {
    const parts = words(line);
    if (parts.length < 2) continue;
    if (line.startsWith('FAILED')) map.set(parts[1] as string, 'FAILED');
    else if (line.includes(' PASSED ')) {
      if (parts[1] === 'PASSED') map.set(parts[0] as string, 'PASSED');
    } else if (line.startsWith('PASSED')) map.set(parts[1] as string, 'PASSED');
  }
  return map;
}
