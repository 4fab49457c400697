/**
 * Integration tests need real parts (Docker, git, redis-server, chromium). When one is missing they
 * fail in CI (CI=true) and are skipped locally with a visible reason — never a silent early return.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe } from 'vitest';

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
 * `describe` that runs when `missing` is null; otherwise skips with the reason, or in CI throws so the
 * run fails loudly.
 */
export function describeIf(missing: string | null, name: string, fn: () => void): void {
  if (missing === null) {
    describe(name, fn);
    return;
  }
  if (process.env.CI) throw new Error(`${name}: prerequisite missing in CI: ${missing}`);
  describe.skip(`${name} (skipped: ${missing})`, fn);
}
