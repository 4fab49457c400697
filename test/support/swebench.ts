/**
 * Where the swebench-js data and its repositories are on this machine. The repositories are a
 * property of the machine, not of the code: when absent, the tests that need them are skipped with
 * the reason even in CI (issue 6: "when the repos are reachable").
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SWEBENCH_DATASET = '/work/shared/swebench-js/dev.jsonl';
export const SWEBENCH_MIRRORS =
  process.env.CONJECTURE_SWEBENCH_MIRRORS ?? '/var/cache/conjecture/swebench-mirrors';
/** npm in the setup containers needs the host's CA bundle where TLS is intercepted. */
export const CA_BUNDLE = existsSync('/etc/ssl/certs/ca-certificates.crt')
  ? '/etc/ssl/certs/ca-certificates.crt'
  : undefined;
/** Dependency installs are cached here across runs. */
export const EVAL_CACHE = process.env.CONJECTURE_EVAL_CACHE ?? join(tmpdir(), 'conjecture-eval-cache');

export function missingSwebenchData(): string | null {
  if (!existsSync(SWEBENCH_DATASET)) return `dataset ${SWEBENCH_DATASET} not found`;
  if (!existsSync(join(SWEBENCH_MIRRORS, 'iamkun__dayjs.git')))
    return `mirror dir ${SWEBENCH_MIRRORS} not found (set CONJECTURE_SWEBENCH_MIRRORS)`;
  return null;
}
