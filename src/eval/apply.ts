/**
 * Applying a prediction and the test patch the way SWE-bench's harness does: `git apply`, then
 * `git apply --reject`, then `patch --fuzz=5 -p1`, stopping at the first that succeeds, with the
 * tree put back between attempts. Each successful step is committed so the next one starts clean.
 * Before the test patch, the files it touches are reset to the base commit (as SWE-bench's eval
 * script does), so a prediction that edited those tests cannot change what is graded.
 */
import { type HostRunResult, hostGit, hostRun, type RunAs } from './host-run.ts';

export type ApplyMethod = 'git apply' | 'git apply --reject' | 'patch --fuzz=5';

export interface ApplyResult {
  applied: boolean;
  method: ApplyMethod | null;
  /** What each attempt printed, for the instance log. */
  log: string;
}

const ATTEMPTS: { method: ApplyMethod; cmd: string; args: string[] }[] = [
  { method: 'git apply', cmd: 'git', args: ['apply', '--verbose', '--whitespace=nowarn', '-'] },
  {
    method: 'git apply --reject',
    cmd: 'git',
    args: ['apply', '--verbose', '--reject', '--whitespace=nowarn', '-'],
  },
  { method: 'patch --fuzz=5', cmd: 'patch', args: ['--batch', '--fuzz=5', '-p1', '--no-backup-if-mismatch'] },
];

export async function applyWithFallbacks(
  dir: string,
  patch: string,
  options: { runAs?: RunAs; label: string },
): Promise<ApplyResult> {
  const lines: string[] = [];
  for (const attempt of ATTEMPTS) {
    const run: HostRunResult =
      attempt.cmd === 'git'
        ? await hostGit(attempt.args, { cwd: dir, input: patch, runAs: options.runAs })
        : await hostRun(attempt.cmd, attempt.args, { cwd: dir, input: patch, runAs: options.runAs });
    lines.push(`$ ${attempt.method} (${options.label}) -> exit ${run.exitCode}`, run.output.trimEnd());
    if (run.exitCode === 0) {
      await commitAll(dir, options.label, options.runAs);
      return { applied: true, method: attempt.method, log: lines.join('\n') };
    }
    await restore(dir, options.runAs);
  }
  return { applied: false, method: null, log: lines.join('\n') };
}

/** Puts the files a patch touches back to `baseCommit`, or removes them when they are new there. */
export async function resetFilesTo(
  dir: string,
  baseCommit: string,
  patch: string,
  runAs?: RunAs,
): Promise<string[]> {
  const files = patchedFiles(patch);
  for (const file of files) {
    const exists = await hostGit(['cat-file', '-e', `${baseCommit}:${file}`], { cwd: dir, runAs });
    if (exists.exitCode === 0) await hostGit(['checkout', baseCommit, '--', file], { cwd: dir, runAs });
    else await hostGit(['rm', '-q', '-f', '--ignore-unmatch', '--', file], { cwd: dir, runAs });
  }
  if (files.length > 0) await commitAll(dir, 'reset test files', runAs);
  return files;
}

/** Paths a unified diff touches (both sides of renames), from its `diff --git` and `---`/`+++` headers. */
export function patchedFiles(patch: string): string[] {
  const files = new Set<string>();
  for (const m of patch.matchAll(/^diff --git a\/(\S+) b\/(\S+)$/gm)) {
    if (m[1]) files.add(m[1]);
    if (m[2]) files.add(m[2]);
  }
  for (const m of patch.matchAll(/^(?:---|\+\+\+) [ab]\/(\S+)/gm)) if (m[1]) files.add(m[1]);
  return [...files];
}

async function commitAll(dir: string, message: string, runAs?: RunAs): Promise<void> {
  await hostGit(['add', '-A', '.'], { cwd: dir, runAs });
  await hostGit(['commit', '-q', '--no-verify', '--allow-empty', '-m', message], { cwd: dir, runAs });
}

async function restore(dir: string, runAs?: RunAs): Promise<void> {
  await hostGit(['reset', '-q', '--hard', 'HEAD'], { cwd: dir, runAs });
  // Not -x: ignored files (installed dependencies) stay.
  await hostGit(['clean', '-q', '-f', '-d'], { cwd: dir, runAs });
}
