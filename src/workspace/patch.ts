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

export async function extractPatch(checkout: {
  dir: string;
  commit: string;
  mirror: string;
}): Promise<string> {
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
      { env },
    );
    return diff.stdout;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
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
