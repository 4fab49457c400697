/**
 * The local stand-in for SWE-bench's Python instance images (scripts/build-swebench-py-image.sh:
 * Debian's python3 with pytest, mpmath and hypothesis; /testbed; `conda activate testbed`), built
 * on first use and then kept by Docker. `flock` serialises concurrent builders (vitest runs files in
 * parallel); the script itself returns at once when the tag exists.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './swebench.ts';

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, 'scripts', 'build-swebench-py-image.sh');

/** The script's own default tag, so a bumped tag there rebuilds here. */
export const SWEBENCH_PY_IMAGE = /^tag="([^"]+)"/m.exec(readFileSync(SCRIPT, 'utf8'))?.[1] ?? 'missing-tag';

function imagePresent(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', SWEBENCH_PY_IMAGE], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** Why the image can be neither found nor built here, or null. */
export function missingSwebenchPyImage(): string | null {
  if (imagePresent()) return null;
  try {
    execFileSync('sh', ['-c', 'command -v debootstrap && command -v flock'], { stdio: 'ignore' });
    return null;
  } catch {
    return `${SWEBENCH_PY_IMAGE} is absent and debootstrap or flock is missing to build it (run scripts/setup.sh)`;
  }
}

/** Builds the image unless present (several minutes the first time on a machine). */
export async function ensureSwebenchPyImage(): Promise<string> {
  if (imagePresent()) return SWEBENCH_PY_IMAGE;
  await run('flock', ['/tmp/conjecture-swebench-py-image.lock', 'bash', SCRIPT], {
    timeout: 30 * 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return SWEBENCH_PY_IMAGE;
}
