import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import {
  applyPatch,
  createWorkspaceCache,
  extractPatch,
  pushBranch,
  summarizePatch,
} from '../../src/workspace/index.ts';
import { commitFiles, makeRepo, sh } from '../support/git-repo.ts';

const cacheDir = () => mkdtempSync(join(tmpdir(), 'conjecture-cache-'));

describe('workspace cache', () => {
  it('mirrors once, fetches new commits later, and checks out a given commit', async () => {
    const origin = makeRepo({ 'a.txt': 'one\n' });
    const first = sh(origin, 'git', ['rev-parse', 'HEAD']).trim();
    const cache = createWorkspaceCache({ cacheDir: cacheDir(), logger: silentLogger() });
    const a = await cache.checkout({ remote: origin, jobId: 'job-1' });
    expect(a.commit).toBe(first);
    const second = commitFiles(origin, { 'a.txt': 'two\n' }, 'second');
    const b = await cache.checkout({ remote: `file://${origin}`.replace('file://', ''), jobId: 'job-2' });
    expect(b.commit).toBe(second);
    expect(readFileSync(join(b.dir, 'a.txt'), 'utf8')).toBe('two\n');
    const c = await cache.checkout({ remote: origin, ref: first, jobId: 'job-3' });
    expect(readFileSync(join(c.dir, 'a.txt'), 'utf8')).toBe('one\n');
    // Self-contained: works with the mirror gone (the container only sees this directory).
    rmSync(c.mirror, { recursive: true, force: true });
    expect(sh(c.dir, 'git', ['log', '--oneline']).trim().split('\n')).toHaveLength(1);
    await a.dispose();
    expect(existsSync(a.dir)).toBe(false);
  });

  it('gives a clear error for an unknown commit', async () => {
    const origin = makeRepo({ 'a.txt': 'x' });
    const cache = createWorkspaceCache({ cacheDir: cacheDir(), logger: silentLogger() });
    await expect(
      cache.checkout({ remote: origin, ref: 'deadbeef'.repeat(5), jobId: 'j' }),
    ).rejects.toMatchObject({ code: 'ref_not_found' });
  });
});

describe('patch extraction and application', () => {
  it('captures modified, new, deleted and binary files and honours .gitignore', async () => {
    const origin = makeRepo({
      'a.txt': 'one\n',
      'gone.txt': 'bye\n',
      '.gitignore': 'node_modules/\n*.log\n',
      'img.bin': Buffer.from([0, 1, 2]),
    });
    const cache = createWorkspaceCache({ cacheDir: cacheDir(), logger: silentLogger() });
    const co = await cache.checkout({ remote: origin, jobId: 'p' });
    writeFileSync(join(co.dir, 'a.txt'), 'changed\n');
    writeFileSync(join(co.dir, 'new.txt'), 'new\n');
    unlinkSync(join(co.dir, 'gone.txt'));
    writeFileSync(join(co.dir, 'img.bin'), Buffer.from([0, 1, 2, 3, 255]));
    writeFileSync(join(co.dir, 'debug.log'), 'ignored\n');
    execFileSync('mkdir', ['-p', join(co.dir, 'node_modules/x')]);
    writeFileSync(join(co.dir, 'node_modules/x/i.js'), 'ignored');
    const patch = await extractPatch(co);
    const files = summarizePatch(patch).files.map((f) => [f.path, f.kind, f.binary]);
    expect(files).toEqual([
      ['a.txt', 'modified', false],
      ['gone.txt', 'deleted', false],
      ['img.bin', 'modified', true],
      ['new.txt', 'added', false],
    ]);
    // The checkout's own index is untouched.
    expect(sh(co.dir, 'git', ['status', '--porcelain']).trimEnd().split('\n').sort()).toEqual([
      ' D gone.txt',
      ' M a.txt',
      ' M img.bin',
      '?? new.txt',
    ]);

    const applied = await applyPatch({ mirror: co.mirror, baseCommit: co.commit, patch, message: 'Fix it' });
    expect(readFileSync(join(applied.dir, 'a.txt'), 'utf8')).toBe('changed\n');
    expect([...readFileSync(join(applied.dir, 'img.bin'))]).toEqual([0, 1, 2, 3, 255]);
    expect(existsSync(join(applied.dir, 'gone.txt'))).toBe(false);
    expect(sh(applied.dir, 'git', ['log', '-1', '--format=%s']).trim()).toBe('Fix it');
  });

  it('runs nothing the agent planted in the checkout .git on the host', async () => {
    const origin = makeRepo({ 'a.txt': 'one\n', '.gitattributes': '* filter=evil diff=evil\n' });
    const cache = createWorkspaceCache({ cacheDir: cacheDir(), logger: silentLogger() });
    const co = await cache.checkout({ remote: origin, jobId: 'evil' });
    const marker = join(mkdtempSync(join(tmpdir(), 'marker-')), 'pwned');
    const payload = `touch ${marker}`;
    for (const [k, v] of [
      ['core.fsmonitor', payload],
      ['filter.evil.clean', payload],
      ['filter.evil.smudge', payload],
      ['diff.evil.textconv', payload],
      ['diff.external', payload],
      ['core.hooksPath', join(co.dir, 'hooks')],
    ]) {
      sh(co.dir, 'git', ['config', k!, v!]);
    }
    execFileSync('mkdir', ['-p', join(co.dir, 'hooks')]);
    for (const hook of ['pre-commit', 'post-checkout', 'post-commit', 'pre-push']) {
      writeFileSync(join(co.dir, 'hooks', hook), `#!/bin/sh\n${payload}\n`, { mode: 0o755 });
    }
    writeFileSync(join(co.dir, 'a.txt'), 'two\n');
    const patch = await extractPatch(co);
    const applied = await applyPatch({ mirror: co.mirror, baseCommit: co.commit, patch, message: 'm' });
    expect(readFileSync(join(applied.dir, 'a.txt'), 'utf8')).toBe('two\n');
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a patch that does not apply, and pushes only conjecture/ branches', async () => {
    const origin = makeRepo({ 'a.txt': 'one\n' });
    const bare = join(mkdtempSync(join(tmpdir(), 'bare-')), 'o.git');
    sh(tmpdir(), 'git', ['clone', '--quiet', '--bare', origin, bare]);
    const cache = createWorkspaceCache({ cacheDir: cacheDir(), logger: silentLogger() });
    const co = await cache.checkout({ remote: bare, jobId: 'push' });
    await expect(
      applyPatch({
        mirror: co.mirror,
        baseCommit: co.commit,
        patch: 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-nope\n+x\n',
        message: 'm',
      }),
    ).rejects.toMatchObject({
      code: 'patch_does_not_apply',
    });
    writeFileSync(join(co.dir, 'a.txt'), 'two\n');
    const applied = await applyPatch({
      mirror: co.mirror,
      baseCommit: co.commit,
      patch: await extractPatch(co),
      message: 'm',
    });
    await expect(pushBranch({ dir: applied.dir, remote: bare, branch: 'main' })).rejects.toMatchObject({
      code: 'push_refused',
    });
    await pushBranch({ dir: applied.dir, remote: bare, branch: 'conjecture/issue-1-fix' });
    expect(sh(bare, 'git', ['rev-parse', 'conjecture/issue-1-fix']).trim()).toBe(applied.commit);
    expect(sh(bare, 'git', ['rev-parse', 'main']).trim()).toBe(co.commit);
    expect(statSync(bare).isDirectory()).toBe(true);
  });
});
