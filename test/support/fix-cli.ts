/**
 * Runs the real `conjecture fix` (bin/conjecture.js) in a child process against a repository and a
 * scripted model server, as the attack tests in test/security need it: exit code, output, the
 * child's peak RSS (from /proc while it runs) and the out directory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_IMAGE } from './prereq.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'conjecture.js');

export interface FixCliRun {
  code: number;
  stdout: string;
  stderr: string;
  out: string;
  /** Highest resident set size of the `conjecture fix` process seen while it ran, in bytes. */
  peakRssBytes: number;
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export async function runFixCli(options: {
  repo: string;
  issue: string;
  baseUrl: string;
  env?: Record<string, string>;
  /** More flags after the required ones; `json: false` leaves out `--json` (the human summary on stdout). */
  args?: string[];
  json?: boolean;
}): Promise<FixCliRun> {
  const out = mkdtempSync(join(tmpdir(), 'sec-fix-out-'));
  const child = spawn(
    process.execPath,
    [
      BIN,
      'fix',
      '--repo',
      options.repo,
      '--issue',
      options.issue,
      '--base-url',
      options.baseUrl,
      '--out',
      out,
      ...(options.json === false ? [] : ['--json']),
      ...(options.args ?? []),
    ],
    {
      env: {
        PATH: process.env.PATH,
        HOME: mkdtempSync(join(tmpdir(), 'sec-fix-home-')),
        CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE,
        ...options.env,
      },
    },
  );
  let stdout = '';
  let stderr = '';
  let peakRssBytes = 0;
  const sampler = setInterval(() => {
    if (child.pid) peakRssBytes = Math.max(peakRssBytes, rssOf(child.pid));
  }, 50);
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  clearInterval(sampler);
  return { code, stdout, stderr, out, peakRssBytes };
}
