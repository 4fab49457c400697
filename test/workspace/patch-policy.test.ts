import { describe, expect, it } from 'vitest';
import { checkPatchPolicy, globToRegExp, summarizePatch } from '../../src/workspace/index.ts';

const PATCH = `diff --git a/src/a.js b/src/a.js
index 1111111..2222222 100644
--- a/src/a.js
+++ b/src/a.js
@@ -1,2 +1,2 @@
-const a = 1;
+const a = 2;
 module.exports = a;
diff --git a/new.txt b/new.txt
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/new.txt
@@ -0,0 +1 @@
+hello
diff --git a/old.txt b/old.txt
deleted file mode 100644
index 4444444..0000000
--- a/old.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git a/.github/workflows/ci.yml b/.github/workflows/ci.yml
index 5555555..6666666 100644
--- a/.github/workflows/ci.yml
+++ b/.github/workflows/ci.yml
@@ -1 +1 @@
-on: push
+on: pull_request_target
`;

describe('summarizePatch', () => {
  it('lists files with their kind and line counts', () => {
    const s = summarizePatch(PATCH);
    expect(s.files.map((f) => [f.path, f.kind, f.additions, f.deletions])).toEqual([
      ['src/a.js', 'modified', 1, 1],
      ['new.txt', 'added', 1, 0],
      ['old.txt', 'deleted', 0, 1],
      ['.github/workflows/ci.yml', 'modified', 1, 1],
    ]);
    expect([s.additions, s.deletions]).toEqual([3, 3]);
  });
});

describe('checkPatchPolicy', () => {
  it('refuses workflow changes and too many deletions', () => {
    const v = checkPatchPolicy(PATCH, { protectedPaths: ['.github/workflows/**'], maxDeletedFiles: 0 });
    expect(v.map((x) => x.rule)).toEqual(['protected_path', 'too_many_deletions']);
    expect(v[0]!.message).toContain('.github/workflows/ci.yml');
  });

  it('accepts an ordinary patch and refuses an empty one', () => {
    expect(
      checkPatchPolicy(PATCH.split('diff --git a/.github')[0]!, {
        protectedPaths: ['.github/workflows/**'],
        maxDeletedFiles: 5,
      }),
    ).toEqual([]);
    expect(checkPatchPolicy('', { protectedPaths: [], maxDeletedFiles: 5 }).map((x) => x.rule)).toEqual([
      'empty',
    ]);
  });

  it('matches globs like gitignore does', () => {
    expect(globToRegExp('.github/workflows/**').test('.github/workflows/a/b.yml')).toBe(true);
    expect(globToRegExp('.github/workflows/**').test('.github/workflowsX/a.yml')).toBe(false);
    expect(globToRegExp('**/secrets.*').test('secrets.json')).toBe(true);
    expect(globToRegExp('**/secrets.*').test('a/b/secrets.yml')).toBe(true);
    expect(globToRegExp('*.pem').test('dir/key.pem')).toBe(false);
    expect(globToRegExp('infra/').test('infra/main.tf')).toBe(true);
  });
});
