/**
 * Django's `tests/runtests.py --verbosity 2`, read as SWE-bench's `parse_log_django` reads it. The
 * unittest runner prints `test_name (module.Class) ... ok|FAIL|ERROR|skipped 'why'`; a docstring
 * moves the status to a later line (`... ok` alone), and output printed by the test itself can
 * split a line between the name and its `ok` — the three known forms are matched across lines.
 * `FAIL: name (...)` / `ERROR: name (...)` headers of the failure report count too.
 */
import type { TestStatus } from './types.ts';

const PASS_SUFFIXES = [' ... ok', ' ... OK', ' ...  OK'];
const SPLIT_PASS = [
  /^(.*?)\s\.\.\.\sTesting against Django installed in ([\s\S]*?) silenced\)\.\nok$/gm,
  /^(.*?)\s\.\.\.\sInternal Server Error: \/(.*)\/\nok$/gm,
  /^(.*?)\s\.\.\.\sSystem check identified no issues \(0 silenced\)\nok$/gm,
];
// django__django-7188: a migration's output runs into the test name on the same line.
const MIGRATION_PREFIX = 'Applying sites.0002_alter_domain_unique...test_no_migrations';

export function parseDjangoLog(log: string): Map<string, TestStatus> {
  const map = new Map<string, TestStatus>();
  let prevTest: string | null = null;
  for (const raw of log.split('\n')) {
    let line = raw.trim();
    if (line.includes('--version is equivalent to version'))
      map.set('--version is equivalent to version', 'PASSED');
    if (line.includes(' ... ')) prevTest = line.split(' ... ')[0] as string;
    for (const suffix of PASS_SUFFIXES) {
      if (!line.endsWith(suffix)) continue;
      if (line.startsWith(MIGRATION_PREFIX)) line = line.slice(line.indexOf('...') + 3).trim();
      map.set(line.slice(0, line.lastIndexOf(suffix)), 'PASSED');
      break;
    }
    if (line.includes(' ... skipped')) map.set(line.split(' ... skipped')[0] as string, 'SKIPPED');
    if (line.endsWith(' ... FAIL')) map.set(line.split(' ... FAIL')[0] as string, 'FAILED');
    if (line.startsWith('FAIL:') && word(line, 1)) map.set(word(line, 1), 'FAILED');
    if (line.endsWith(' ... ERROR')) map.set(line.split(' ... ERROR')[0] as string, 'ERROR');
    if (line.startsWith('ERROR:') && word(line, 1)) map.set(word(line, 1), 'ERROR');
    if (line.startsWith('ok') && prevTest !== null) map.set(prevTest, 'PASSED');
  }
  for (const pattern of SPLIT_PASS) for (const m of log.matchAll(pattern)) map.set(m[1] as string, 'PASSED');
  return map;
}

function word(line: string, index: number): string {
  return line.split(/\s+/)[index] ?? '';
}
