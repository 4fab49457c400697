/**
 * THREAT #24: shared object store poisoning. A prompt-injected agent, as the sandbox's user inside
 * the real hardened container, tries to rewrite its checkout's git objects (chmod u+w, overwrite,
 * forge a tree that reverts a security fix, delete the object store). The shared mirror, a local
 * `--repo <path>` repository and later jobs' checkouts must be untouched.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { Sandbox } from '../../src/core/sandbox.ts';
import { createSandboxProvider, sandboxSpecFromConfig } from '../../src/sandbox/index.ts';
import { type Checkout, createWorkspaceCache, git } from '../../src/workspace/index.ts';
import { commitFiles, makeRepo } from '../support/git-repo.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';

const SANDBOX_USER = { uid: 1000, gid: 1000 };

/** Every regular file under `dir`, with its device:inode and owner. */
function files(dir: string): { path: string; inode: string; uid: number }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name);
      const s = lstatSync(path);
      return { path, inode: `${s.dev}:${s.ino}`, uid: s.uid };
    });
}

function fsck(gitDir: string): string {
  return execFileSync('git', ['--git-dir', gitDir, 'fsck', '--full', '--strict'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const status = async (dir: string) => (await git(['-C', dir, 'status', '--porcelain'])).stdout;

// The attack, as the model would type it: loosen every object file and overwrite it, plant a
// forged tree (the fix reverted) under the real tree's name, then try to delete the store.
const ATTACK = [
  'cd /workspace',
  'tree=$(git rev-parse "HEAD^{tree}")',
  'forged=$(printf "def check(token):\\n    return True\\n" | git hash-object -w --stdin 2>&1) || echo "HASH_DENIED"',
  'find .git/objects -type f -exec chmod u+w {} + 2>/dev/null || echo CHMOD_DENIED',
  'for f in $(find .git/objects -type f); do printf "poison" 2>/dev/null > "$f" && echo "WROTE $f"; done',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
  'mkdir -p .git/objects/${tree:0:2} 2>/dev/null; printf poison 2>/dev/null > .git/objects/${tree:0:2}/${tree:2} && echo WROTE_TREE',
  'rm -rf .git/objects/pack 2>/dev/null; test -d .git/objects/pack && echo PACK_KEPT',
  'touch .git/planted 2>/dev/null && echo GITDIR_WRITABLE',
  'echo edited > auth.py && echo WORKTREE_WRITABLE',
  'git diff --stat | tail -1',
].join('\n');

describeIf(missingDocker(), 'THREAT #24: the sandbox cannot poison shared git objects', () => {
  const { config } = loadConfig({ env: { CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE } });
  const provider = createSandboxProvider(config, silentLogger());
  const open: { dispose(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const o of open.reverse()) await o.dispose();
  });

  async function attackFrom(checkout: Checkout): Promise<string> {
    const box: Sandbox = await provider.create(sandboxSpecFromConfig(config.sandbox, checkout.dir));
    open.push(box);
    const r = await box.exec(ATTACK, { timeoutMs: 60_000 });
    return r.output;
  }

  it('a local --repo and the mirror keep their objects; a later job checks out the true tree', async () => {
    // The user's own repository, as `conjecture fix --repo <path>` receives it: loose objects.
    const user = makeRepo({ 'auth.py': 'def check(token):\n    return True\n' });
    const fixed = commitFiles(user, { 'auth.py': 'def check(token):\n    return token == SECRET\n' }, 'fix');
    const userFilesBefore = files(join(user, '.git', 'objects'));
    const cache = createWorkspaceCache({
      cacheDir: mkdtempSync(join(tmpdir(), 'sec-objects-')),
      logger: silentLogger(),
    });

    const first = await cache.checkout({ remote: user, jobId: 'victim-1', owner: SANDBOX_USER });
    open.push(first);
    await cache.idle(); // the warm spare for the next job exists while the agent runs
    const mirrorObjects = files(join(first.mirror, 'objects'));
    const checkoutObjects = files(join(first.dir, '.git', 'objects'));
    // No object file of the checkout is an inode of the mirror or of the user's repository.
    const shared = new Set([...mirrorObjects, ...userFilesBefore].map((f) => f.inode));
    expect(checkoutObjects.length).toBeGreaterThan(0);
    expect(checkoutObjects.filter((f) => shared.has(f.inode))).toEqual([]);
    // Only the working tree is the sandbox user's.
    expect(lstatSync(join(first.dir, 'auth.py')).uid).toBe(SANDBOX_USER.uid);
    expect(checkoutObjects.every((f) => f.uid !== SANDBOX_USER.uid)).toBe(true);
    expect(lstatSync(join(first.dir, '.git')).uid).not.toBe(SANDBOX_USER.uid);

    const output = await attackFrom(first);
    expect(output).not.toMatch(/WROTE|GITDIR_WRITABLE/);
    expect(output).toContain('PACK_KEPT');
    expect(output).toContain('WORKTREE_WRITABLE');
    expect(output).toContain('1 file changed'); // git still works for the agent, read-only

    // The user's repository: intact, and nothing in it was given to the sandbox's user.
    expect(() => fsck(join(user, '.git'))).not.toThrow();
    const userFilesAfter = files(join(user, '.git', 'objects'));
    expect(userFilesAfter.filter((f) => f.uid === SANDBOX_USER.uid)).toEqual([]);
    expect(userFilesAfter.map((f) => f.inode).sort()).toEqual(userFilesBefore.map((f) => f.inode).sort());
    expect(files(join(user, '.git')).filter((f) => f.uid === SANDBOX_USER.uid)).toEqual([]);
    // The mirror: intact.
    expect(() => fsck(first.mirror)).not.toThrow();

    // Another person's job on the same repository (from the warm spare) sees the fixed tree.
    const second = await cache.checkout({ remote: user, jobId: 'victim-2', owner: SANDBOX_USER });
    open.push(second);
    expect(second.commit).toBe(fixed);
    expect(readFileSync(join(second.dir, 'auth.py'), 'utf8')).toContain('token == SECRET');
    expect(await status(second.dir)).toBe('');
    expect(() => fsck(join(second.dir, '.git'))).not.toThrow();
    // And one made fresh after a new commit (the spare moved forward) too.
    await cache.idle();
    const third = commitFiles(user, { 'NEWS.md': 'fixed\n' }, 'news');
    const later = await cache.checkout({ remote: user, jobId: 'victim-3', owner: SANDBOX_USER });
    open.push(later);
    expect(later.commit).toBe(third);
    expect(readFileSync(join(later.dir, 'auth.py'), 'utf8')).toContain('token == SECRET');
    expect(lstatSync(join(later.dir, 'NEWS.md')).uid).toBe(SANDBOX_USER.uid);
    expect(await status(later.dir)).toBe('');
  }, 180_000);
});
