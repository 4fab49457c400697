/**
 * Taking the agent's change out and putting it into a clean host checkout.
 *
 * The checkout's `.git` is writable by the agent, so the host never uses it: extraction reads the
 * checkout as plain files through the mirror's git directory (host-owned config: no filters,
 * hooks or fsmonitor the agent could have planted — THREATS.md #16) with a temporary index
 * started from the base commit, so new, deleted and binary files are all captured and `.gitignore`
 * is honoured. New objects go to a temporary object directory, never into the mirror.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkspaceError } from '../core/errors.ts';
import { git } from './git.ts';

/** Patches larger than this are refused unless the caller says otherwise (THREATS.md #30). */
export const DEFAULT_MAX_PATCH_BYTES = 10 * 1024 * 1024;

function tooLarge(what: string, maxBytes: number): WorkspaceError {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return new WorkspaceError(`the change is too large: ${what}, over the ${mb(maxBytes)} patch limit`, {
    code: 'patch_too_large',
    hint: 'raise sandbox.maxPatchMb if such changes are expected',
  });
}

/**
 * Sums the sizes of the blobs the change writes (new and modified files) from git's object
 * database, so an oversized change is refused before any diff text is produced or read.
 */
async function changedContentBytes(
  base: string[],
  commit: string,
  env: Record<string, string>,
): Promise<number> {
  const raw = await git([...base, 'diff', '--cached', '--raw', '-z', '--no-renames', '--abbrev=40', commit], {
    env,
  });
  const shas = raw.stdout
    .split('\0')
    .filter((f) => f.startsWith(':'))
    .map((f) => f.split(' ')[3] ?? '')
    .filter((sha) => /^[0-9a-f]{40,64}$/.test(sha) && !/^0+$/.test(sha));
  if (shas.length === 0) return 0;
  const sizes = await git([...base, 'cat-file', '--batch-check=%(objectsize)'], {
    env,
    input: `${shas.join('\n')}\n`,
  });
  return sizes.stdout
    .split('\n')
    .map(Number)
    .filter(Number.isFinite)
    .reduce((a, b) => a + b, 0);
}

type CheckoutRef = { dir: string; commit: string; mirror: string };

/**
 * Runs `fn` with an index of the agent's tree: the base commit plus everything in the checkout that
 * is not ignored, read as plain files through the mirror's git directory.
 */
async function withAgentIndex<T>(
  checkout: CheckoutRef,
  fn: (base: string[], env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const scratch = await mkdtemp(join(tmpdir(), 'conjecture-extract-'));
  const env = {
    GIT_INDEX_FILE: join(scratch, 'index'),
    GIT_OBJECT_DIRECTORY: join(scratch, 'objects'),
    GIT_ALTERNATE_OBJECT_DIRECTORIES: join(checkout.mirror, 'objects'),
  };
  const base = ['--git-dir', checkout.mirror, '--work-tree', checkout.dir];
  try {
    await mkdir(join(scratch, 'objects', 'pack'), { recursive: true });
    await git([...base, 'read-tree', checkout.commit], { env });
    await git([...base, 'add', '--all', '--', '.'], { env, cwd: checkout.dir });
    return await fn(base, env);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function extractPatch(
  checkout: CheckoutRef,
  options: { maxBytes?: number } = {},
): Promise<string> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PATCH_BYTES;
  return withAgentIndex(checkout, async (base, env) => {
    const content = await changedContentBytes(base, checkout.commit, env);
    if (content > maxBytes) throw tooLarge(`${content} bytes of new file content`, maxBytes);
    // Binary hunks are base85 of deflated data, and deletions count too: bound what is read.
    const readLimit = 2 * maxBytes + 1024 * 1024;
    const diff = await git(
      [
        ...base,
        'diff',
        '--cached',
        '--binary',
        '--no-ext-diff',
        '--no-textconv',
        '--no-color',
        '--full-index',
        checkout.commit,
        '--',
      ],
      { env, maxBuffer: readLimit, allowFailure: true },
    );
    if (diff.overflowed || Buffer.byteLength(diff.stdout) > maxBytes)
      throw tooLarge(
        `a diff of more than ${Math.min(Buffer.byteLength(diff.stdout), readLimit)} bytes`,
        maxBytes,
      );
    if (diff.exitCode !== 0)
      throw new WorkspaceError(`git diff failed (exit ${diff.exitCode}): ${diff.stderr.trim().slice(-500)}`, {
        code: 'git_failed',
      });
    return diff.stdout;
  });
}

/**
 * Writes the agent's tree — the base commit plus its change, without ignored files (no planted
 * `.conjecture/venv`, no stray `node_modules`) and without `.git` — into the empty directory `dest`.
 * Validation runs there, in a fresh container (THREATS.md #31).
 */
export async function exportWorkingTree(checkout: CheckoutRef, dest: string): Promise<void> {
  await withAgentIndex(checkout, (base, env) =>
    git([...base, 'checkout-index', '--all', '--force', `--prefix=${dest}/`], { env }),
  );
}

export interface AppliedCheckout {
  dir: string;
  commit: string;
  dispose(): Promise<void>;
}

/** Applies `patch` on `baseCommit` in a fresh clone of the mirror and commits it. */
export async function applyPatch(options: {
  mirror: string;
  baseCommit: string;
  patch: string;
  message: string;
  author?: { name: string; email: string };
}): Promise<AppliedCheckout> {
  const dir = await mkdtemp(join(tmpdir(), 'conjecture-apply-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await git(['clone', '--local', '--no-checkout', '--quiet', options.mirror, dir]);
    await git(['-C', dir, 'config', 'core.hooksPath', '/dev/null']);
    await git(['-C', dir, 'checkout', '--quiet', '--detach', options.baseCommit]);
    const applied = await git(['-C', dir, 'apply', '--index', '--binary', '--whitespace=nowarn', '-'], {
      input: options.patch,
      allowFailure: true,
    });
    if (applied.exitCode !== 0) {
      throw new WorkspaceError(
        `the patch does not apply to ${options.baseCommit.slice(0, 12)}: ${applied.stderr.trim().split('\n').slice(0, 3).join('; ')}`,
        { code: 'patch_does_not_apply' },
      );
    }
    const env: Record<string, string> = options.author
      ? { GIT_AUTHOR_NAME: options.author.name, GIT_AUTHOR_EMAIL: options.author.email }
      : {};
    await git(['-C', dir, 'commit', '--quiet', '--no-verify', '-m', options.message], { env });
    const commit = (await git(['-C', dir, 'rev-parse', 'HEAD'])).stdout.trim();
    return { dir, commit, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

export const BRANCH_PREFIX = 'conjecture/';

/** Pushes HEAD of `dir` to `refs/heads/<branch>` with an explicit refspec; only `conjecture/` branches. */
export async function pushBranch(options: {
  dir: string;
  remote: string;
  branch: string;
  token?: string;
  forceWithLease?: string;
}): Promise<void> {
  if (!options.branch.startsWith(BRANCH_PREFIX) || /\.\.|[\s~^:?*[\\]/.test(options.branch)) {
    throw new WorkspaceError(
      `refusing to push to "${options.branch}": only ${BRANCH_PREFIX}* branches are pushed`,
      { code: 'push_refused' },
    );
  }
  const args = ['-C', options.dir, 'push', '--quiet', '--no-verify'];
  if (options.forceWithLease !== undefined)
    args.push(`--force-with-lease=refs/heads/${options.branch}:${options.forceWithLease}`);
  args.push(options.remote, `HEAD:refs/heads/${options.branch}`);
  await git(args, { token: options.token });
}
