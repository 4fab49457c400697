/**
 * Tests that need real parts (Docker, git, redis-server, chromium, kubectl, the shared SWE-bench
 * data): when one is missing they fail in CI (CI=true, as `.ci/run` sets it) and are skipped locally
 * with the reason printed and in the test's name — never a silent early return. This is the only
 * place a test may be skipped; `scripts/test.sh` counts every skip and fails a CI run that has any.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { inCI } from './ci.ts';

export const SANDBOX_IMAGE = process.env.CONJECTURE_TEST_IMAGE ?? 'conjecture-sandbox:0.1.0';

function works(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

export function missingDocker(): string | null {
  if (!existsSync('/var/run/docker.sock'))
    return 'Docker socket /var/run/docker.sock not found (run scripts/setup.sh)';
  if (!works('docker', ['image', 'inspect', SANDBOX_IMAGE]))
    return `sandbox image ${SANDBOX_IMAGE} missing (run scripts/build-sandbox-image.sh)`;
  return null;
}

export function missingCommand(cmd: string): string | null {
  return works('sh', ['-c', `command -v ${cmd}`]) ? null : `${cmd} not installed (run scripts/setup.sh)`;
}

/**
 * `describe` that runs when `missing` is null; otherwise skips with the reason (printed, and in the
 * suite's name), or in CI throws so the run fails loudly. Combine prerequisites with `??`:
 * `describeIf(missingDocker() ?? missingCommand('git'), …)`.
 */
export function describeIf(missing: string | null, name: string, fn: () => void): void {
  if (missing === null) {
    describe(name, fn);
    return;
  }
  if (inCI()) throw new Error(`${name}: prerequisite missing in CI: ${missing}`);
  process.stderr.write(`[skip] ${name}: ${missing}\n`);
  describe.skip(`${name} (skipped: ${missing})`, fn);
}
