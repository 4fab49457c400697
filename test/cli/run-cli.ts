/**
 * Runs the real CLI (`node bin/conjecture.js`) as a child process, asynchronously so servers in the
 * test process can answer it. The environment is clean: a temporary HOME and cwd, so a developer's
 * own config file or CONJECTURE_* variables cannot leak in.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/conjecture.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = 'conjecture-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  const home = tempDir('conjecture-home-');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...options.env };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env, cwd: options.cwd ?? home, timeout: options.timeoutMs ?? 15_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}

/** A stack frame line as Node prints it; no user-facing output may contain one. */
export const STACK_FRAME = /^\s+at .+[:(]/m;

/**
 * Runs the CLI in this process with `--json`, so servers and spies in the test see it directly:
 * the exit code, stderr, and the parsed JSON result (null when the command printed none).
 */
export async function runCliJson(
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stderr: string; data: Record<string, unknown> | null }> {
  const { main } = await import('../../src/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const code = await main([...argv, '--json'], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: process.cwd(),
  });
  return { code, stderr, data: stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : null };
}
