/**
 * A bare mirror per repository (fetched again on later use) and per-job checkouts made from it.
 *
 * Isolation (THREATS.md #24): a checkout owns a private copy of its objects — never hard links to
 * the mirror's files, and a mirror of a local repository (`--repo <path>`) is made through git's
 * transport, so it shares no file with the user's repository either. Only the working tree is
 * given to the sandbox's user; `.git` stays the host's, readable but not writable from the
 * sandbox. The checkout is self-contained: the container sees only this directory, and `git
 * status`/`git diff`/`git log` work there without reaching outside the mount.
 */
import { createHash } from 'node:crypto';
import { lchown, lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { WorkspaceError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { git } from './git.ts';
import { withDirLock } from './lock.ts';

export interface Checkout {
  dir: string;
  /** The commit the checkout starts from (full sha). */
  commit: string;
  mirror: string;
  dispose(): Promise<void>;
}

export interface CheckoutOptions {
  remote: string;
  /** Commit sha, branch or tag; defaults to the remote's HEAD. */
  ref?: string;
  token?: string;
  jobId: string;
  /** Owner of the files, so the sandbox's unprivileged user can write them. */
  owner?: { uid: number; gid: number };
  /** Skip fetching when the mirror already has the ref (eval runs at fixed commits). */
  fetch?: 'always' | 'if-missing';
}

export interface WorkspaceCache {
  mirror(remote: string, options?: { token?: string }): Promise<string>;
  checkout(options: CheckoutOptions): Promise<Checkout>;
  /** Removes checkouts older than `maxAgeMs`. */
  prune(maxAgeMs: number): Promise<number>;
  /** Resolves when background work (preparing spare checkouts) is done. */
  idle(): Promise<void>;
}

export function normalizeRemote(remote: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) return remote;
  return resolve(remote);
}

export function mirrorName(remote: string): string {
  const clean = normalizeRemote(remote)
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\.git$/, '');
  const slug = clean.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-60);
  return `${slug}-${createHash('sha256').update(clean).digest('hex').slice(0, 10)}.git`;
}

export function createWorkspaceCache(options: { cacheDir: string; logger: Logger }): WorkspaceCache {
  const mirrors = join(options.cacheDir, 'mirrors');
  const checkouts = join(options.cacheDir, 'checkouts');

  async function mirror(remote: string, { token }: { token?: string } = {}): Promise<string> {
    const path = join(mirrors, mirrorName(remote));
    await mkdir(mirrors, { recursive: true });
    return withDirLock(`${path}.lock`, async () => {
      const exists = await stat(join(path, 'HEAD')).then(
        () => true,
        () => false,
      );
      if (exists) {
        await git(
          [
            '--git-dir',
            path,
            'fetch',
            '--prune',
            '--quiet',
            normalizeRemote(remote),
            '+refs/heads/*:refs/heads/*',
            '+refs/tags/*:refs/tags/*',
          ],
          { token },
        );
      } else {
        await rm(path, { recursive: true, force: true });
        // --no-local: a local repository is read through git's transport, never hard-linked.
        await git(['clone', '--mirror', '--no-local', '--quiet', normalizeRemote(remote), path], { token });
      }
      return path;
    });
  }

  /** The full sha of `ref` in the mirror, or null when the mirror lacks it. */
  async function resolveCommit(mirrorPath: string, ref: string): Promise<string | null> {
    const r = await git(['--git-dir', mirrorPath, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      allowFailure: true,
    });
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  async function checkout(o: CheckoutOptions): Promise<Checkout> {
    const mirrorPath = join(mirrors, mirrorName(o.remote));
    const ref = o.ref ?? 'HEAD';
    let commit = o.fetch === 'if-missing' ? await resolveCommit(mirrorPath, ref).catch(() => null) : null;
    if (!commit) {
      await mirror(o.remote, { token: o.token });
      commit = await resolveCommit(mirrorPath, ref);
    }
    if (!commit) {
      throw new WorkspaceError(`commit or ref "${ref}" not found in ${o.remote}`, {
        code: 'ref_not_found',
        hint: 'check the commit sha or branch name',
      });
    }
    const dir = join(checkouts, `${o.jobId.replace(/[^A-Za-z0-9._-]/g, '_')}-${Date.now().toString(36)}`);
    await mkdir(checkouts, { recursive: true });
    const fromSpare = await claimSpare(mirrorPath, commit, dir, o.owner);
    if (!fromSpare) await makeCheckout(mirrorPath, o.remote, commit, dir, o.owner);
    prepareSpare(mirrorPath, o.remote, commit, o.owner);
    options.logger.debug({ dir, commit, fromSpare }, 'checkout ready');
    return { dir, commit, mirror: mirrorPath, dispose: () => rm(dir, { recursive: true, force: true }) };
  }

  async function makeCheckout(
    mirrorPath: string,
    remote: string,
    commit: string,
    dir: string,
    owner?: { uid: number; gid: number },
  ): Promise<void> {
    // --no-hardlinks: the checkout's object files are its own copies, never the mirror's inodes.
    await git(['clone', '--no-hardlinks', '--no-checkout', '--quiet', mirrorPath, dir]);
    // read-tree + checkout-index writes the files about twice as fast as `git checkout`.
    await git(['-C', dir, 'update-ref', '--no-deref', 'HEAD', commit]);
    await git(['-C', dir, 'read-tree', commit]);
    await git(['-C', dir, 'checkout-index', '--all', '--force', '-u']);
    // The agent sees this remote name only; it has no network and no token.
    await git(['-C', dir, 'remote', 'set-url', 'origin', publicRemote(remote)]);
    if (owner) {
      await chownWorkingTree(dir, owner);
      // chown changed every file's ctime; refresh the index so git doesn't rehash them all later.
      await git(['-C', dir, 'update-index', '-q', '--refresh'], { allowFailure: true });
    }
  }

  /**
   * A warm pool of one: after each checkout, a spare checkout of the same commit is prepared in
   * the background, so the next job of the same repository only renames it and updates the few
   * files that changed since. Writing thousands of files is most of a checkout's cost.
   */
  function sparePath(mirrorPath: string, owner?: { uid: number; gid: number }): string {
    return join(
      checkouts,
      `.spare-${owner ? `${owner.uid}.${owner.gid}` : 'host'}-${mirrorPath.split('/').pop()}`,
    );
  }

  function prepareSpare(
    mirrorPath: string,
    remote: string,
    commit: string,
    owner?: { uid: number; gid: number },
  ): void {
    const previous = background.get(mirrorPath) ?? Promise.resolve();
    const work = previous
      .then(async () => {
        const spare = sparePath(mirrorPath, owner);
        if (
          await stat(spare).then(
            () => true,
            () => false,
          )
        )
          return;
        const tmp = `${spare}.tmp-${process.pid}`;
        await rm(tmp, { recursive: true, force: true });
        await makeCheckout(mirrorPath, remote, commit, tmp, owner);
        await rename(tmp, spare);
      })
      .catch((err: unknown) => options.logger.warn({ err }, 'preparing a spare checkout failed'));
    background.set(mirrorPath, work);
  }

  async function claimSpare(
    mirrorPath: string,
    commit: string,
    dir: string,
    owner?: { uid: number; gid: number },
  ): Promise<boolean> {
    await background.get(mirrorPath);
    try {
      await rename(sparePath(mirrorPath, owner), dir);
    } catch {
      return false;
    }
    try {
      // The spare is pristine (nobody ran in it), so moving it to the commit is all there is to do.
      // The host moves it (`.git` is not the sandbox user's), then hands over the files it wrote.
      const diff = ['-C', dir, 'diff', '--name-only', '-z', '--no-renames', 'HEAD', commit];
      let changed = await git(diff, { allowFailure: true });
      if (changed.exitCode !== 0) {
        // The spare predates the commit: bring its objects over (a copy, through git's transport).
        await git([
          '-C',
          dir,
          'fetch',
          '--quiet',
          '--no-tags',
          mirrorPath,
          '+refs/heads/*:refs/remotes/origin/*',
        ]);
        changed = await git(diff);
      }
      await git(['-C', dir, 'reset', '--quiet', '--hard', commit]);
      const paths = changed.stdout.split('\0').filter(Boolean);
      if (owner && paths.length > 0) {
        await chownPaths(dir, paths, owner);
        // chown changed those files' ctime; refresh so git doesn't report them as modified.
        await git(['-C', dir, 'update-index', '-q', '--refresh'], { allowFailure: true });
      }
      return true;
    } catch (err) {
      options.logger.warn({ err }, 'spare checkout unusable; making a fresh one');
      await rm(dir, { recursive: true, force: true });
      return false;
    }
  }

  async function prune(maxAgeMs: number): Promise<number> {
    const entries = await readdir(checkouts).catch(() => [] as string[]);
    let removed = 0;
    for (const name of entries) {
      if (name.startsWith('.spare-')) continue;
      const path = join(checkouts, name);
      const info = await stat(path).catch(() => null);
      if (info && Date.now() - info.mtimeMs > maxAgeMs) {
        await rm(path, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }

  const background = new Map<string, Promise<void>>();
  const idle = async () => {
    await Promise.all(background.values());
  };
  return { mirror, checkout, prune, idle };
}

function publicRemote(remote: string): string {
  return normalizeRemote(remote).replace(/\/\/[^/@]*@/, '//');
}

type Owner = { uid: number; gid: number };

/** Gives everything but the top-level `.git` to `owner`. */
export async function chownWorkingTree(dir: string, owner: Owner): Promise<void> {
  await lchown(dir, owner.uid, owner.gid);
  for (const top of await readdir(dir, { withFileTypes: true })) {
    if (top.name !== '.git') await chownTree(join(dir, top.name), owner);
  }
}

/** Gives `path` and everything under it to `owner`: symbolic links themselves, never their targets. */
export async function chownTree(path: string, owner: Owner): Promise<void> {
  await lchown(path, owner.uid, owner.gid);
  if (!(await lstat(path)).isDirectory()) return;
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true }))
    await lchown(join(entry.parentPath, entry.name), owner.uid, owner.gid);
}

/** Gives the listed paths (relative to `dir`) and the folders holding them to `owner`, where they exist. */
async function chownPaths(dir: string, paths: string[], owner: Owner): Promise<void> {
  const targets = new Set<string>();
  for (const path of paths) {
    for (let p = path; p !== '.' && p !== '' && !targets.has(p); p = dirname(p)) targets.add(p);
  }
  for (const p of targets) {
    if (p === '.git' || p.startsWith('.git/')) continue;
    await lchown(join(dir, p), owner.uid, owner.gid).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}
