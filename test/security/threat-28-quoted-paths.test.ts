/**
 * THREAT #28: quoted-path bypass. Real git writes the change (git C-quotes unusual names:
 * `"a/.github/workflows/d\303\251ploy.yml"`), the host extracts the patch as the app does, and
 * the policy must see every path as git does — the same names `git apply` reads.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import {
  checkPatchPolicy,
  createWorkspaceCache,
  extractPatch,
  summarizePatch,
} from '../../src/workspace/index.ts';
import { makeRepo } from '../support/git-repo.ts';

const { github } = loadConfig({ env: {} }).config;
const policy = { protectedPaths: github.protectedPaths, maxDeletedFiles: github.maxDeletedFiles };

/** The names `git apply` itself reads from the patch (new side), NUL-separated so nothing is quoted. */
function namesGitApplies(patch: string): string[] {
  const out = execFileSync('git', ['apply', '--numstat', '-z', '-'], { input: patch, encoding: 'utf8' });
  return out
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.split('\t')[2]!);
}

describe('THREAT #28: quoted-path bypass', () => {
  it('new déploy.yml, a"b.yml, a name with a newline and a rename of ci.yml to cî.yml are all refused and listed', async () => {
    const origin = makeRepo({
      '.github/workflows/ci.yml': 'on: push\njobs: { test: { runs-on: ubuntu-latest } }\n',
      'src/app.js': 'x\n',
      'docs/old name.md': 'doc\n',
    });
    const cache = createWorkspaceCache({
      cacheDir: mkdtempSync(join(tmpdir(), 'sec-quoted-')),
      logger: silentLogger(),
    });
    const co = await cache.checkout({ remote: origin, jobId: 'quoted' });
    const wf = join(co.dir, '.github', 'workflows');
    writeFileSync(join(wf, 'déploy.yml'), 'on: push\njobs: { deploy: {} }\n');
    writeFileSync(join(wf, 'a"b.yml'), 'on: workflow_dispatch\njobs: { quoted: {} }\n');
    writeFileSync(join(wf, 'line\nbreak.yml'), 'on: pull_request\njobs: { nl: {} }\n');
    renameSync(join(wf, 'ci.yml'), join(wf, 'cî.yml'));
    mkdirSync(join(co.dir, 'docs', 'new dir'));
    renameSync(join(co.dir, 'docs', 'old name.md'), join(co.dir, 'docs', 'new dir', 'new name.md'));
    const patch = await extractPatch(co);
    expect(patch).toContain('"b/.github/workflows/d\\303\\251ploy.yml"'); // git did quote them

    const summary = summarizePatch(patch);
    expect(summary.unreadable).toBeUndefined();
    const listed = summary.files.map((f) => [f.kind, f.oldPath ?? null, f.path]);
    expect(listed).toEqual(
      expect.arrayContaining([
        ['added', null, '.github/workflows/a"b.yml'],
        ['added', null, '.github/workflows/déploy.yml'],
        ['added', null, '.github/workflows/line\nbreak.yml'],
        ['renamed', '.github/workflows/ci.yml', '.github/workflows/cî.yml'],
        ['renamed', 'docs/old name.md', 'docs/new dir/new name.md'],
      ]),
    );
    expect(summary.files).toHaveLength(5);
    // Every name git applies is a name the policy saw.
    expect(namesGitApplies(patch).sort()).toEqual(summary.files.map((f) => f.path).sort());

    const refused = checkPatchPolicy(patch, policy)
      .filter((v) => v.rule === 'protected_path')
      .map((v) => v.message.split(' matches ')[0]);
    expect(refused.sort()).toEqual(
      [
        '.github/workflows/a"b.yml',
        '.github/workflows/ci.yml',
        '.github/workflows/cî.yml',
        '.github/workflows/déploy.yml',
        '.github/workflows/line\nbreak.yml',
      ].sort(),
    );
    await co.dispose();
  });

  it('a rename counts as a deletion: renames past maxDeletedFiles are refused', () => {
    const rename = (from: string, to: string) =>
      `diff --git a/${from} b/${to}\nsimilarity index 100%\nrename from ${from}\nrename to ${to}\n`;
    const quotedRename =
      'diff --git "a/src/\\303\\251.js" b/src/e.js\nsimilarity index 100%\nrename from "src/\\303\\251.js"\nrename to src/e.js\n';
    const patch = [rename('src/a.js', 'src/b.js'), quotedRename].join('');
    expect(checkPatchPolicy(patch, { protectedPaths: [], maxDeletedFiles: 1 }).map((v) => v.rule)).toEqual([
      'too_many_deletions',
    ]);
    expect(summarizePatch(quotedRename).files[0]).toMatchObject({
      kind: 'renamed',
      oldPath: 'src/é.js',
      path: 'src/e.js',
    });
  });

  it('a file header whose names cannot be read refuses the patch', () => {
    const broken =
      'diff --git "a/.github/workflows/x.yml b/y\n--- "a/.github/workflows/x.yml\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n';
    expect(checkPatchPolicy(broken, policy).map((v) => v.rule)).toContain('unreadable');
  });
});
