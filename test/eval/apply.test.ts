import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyWithFallbacks, patchedFiles, resetFilesTo } from '../../src/eval/apply.ts';
import { makeRepo, sh } from '../support/git-repo.ts';

const lines = (n: number, change?: [number, string]) =>
  Array.from({ length: n }, (_, i) => (change && change[0] === i ? change[1] : `line ${i}`)).join('\n') +
  '\n';

/** A diff of lib.js made in a real repository, so its context and header are what git writes. */
function diffFor(before: string, after: string): string {
  const dir = makeRepo({ 'lib.js': before });
  writeFileSync(join(dir, 'lib.js'), after);
  return sh(dir, 'git', ['diff']);
}

describe('applyWithFallbacks', () => {
  it('applies a clean patch with git apply and commits it', async () => {
    const dir = makeRepo({ 'lib.js': lines(10) });
    const patch = diffFor(lines(10), lines(10, [3, 'changed']));
    const r = await applyWithFallbacks(dir, patch, { label: 'prediction' });
    expect(r).toMatchObject({ applied: true, method: 'git apply' });
    expect(readFileSync(join(dir, 'lib.js'), 'utf8')).toContain('changed');
    expect(sh(dir, 'git', ['status', '--porcelain'])).toBe('');
  });

  it('falls back to patch --fuzz when the context drifted', async () => {
    // The target has one context line edited near the hunk: git apply refuses, patch with fuzz succeeds.
    const dir = makeRepo({ 'lib.js': lines(20, [4, 'drifted']) });
    const patch = diffFor(lines(20), lines(20, [5, 'changed']));
    const r = await applyWithFallbacks(dir, patch, { label: 'prediction' });
    expect(r.applied).toBe(true);
    expect(r.method).toBe('patch --fuzz=5');
    expect(r.log).toContain('$ git apply (prediction) -> exit 1');
    const text = readFileSync(join(dir, 'lib.js'), 'utf8');
    expect(text).toContain('changed');
    expect(text).toContain('drifted');
  });

  it('leaves the tree as it was when nothing applies', async () => {
    const dir = makeRepo({ 'lib.js': 'something else entirely\n' });
    const patch = diffFor(lines(10), lines(10, [3, 'changed']));
    const r = await applyWithFallbacks(dir, patch, { label: 'prediction' });
    expect(r).toMatchObject({ applied: false, method: null });
    expect(sh(dir, 'git', ['status', '--porcelain'])).toBe('');
    expect(readFileSync(join(dir, 'lib.js'), 'utf8')).toBe('something else entirely\n');
  });
});

describe('resetFilesTo', () => {
  it('puts test files back to the base commit and removes ones new since', async () => {
    const dir = makeRepo({ 'test/a.test.js': 'original\n', 'lib.js': 'x\n' });
    const base = sh(dir, 'git', ['rev-parse', 'HEAD']).trim();
    writeFileSync(join(dir, 'test/a.test.js'), 'edited by the model\n');
    writeFileSync(join(dir, 'test/new.test.js'), 'added by the model\n');
    sh(dir, 'git', ['add', '-A']);
    sh(dir, 'git', ['commit', '-qm', 'prediction']);
    const testPatch =
      'diff --git a/test/a.test.js b/test/a.test.js\n--- a/test/a.test.js\n+++ b/test/a.test.js\n@@ -1 +1 @@\n-original\n+new\ndiff --git a/test/new.test.js b/test/new.test.js\nnew file mode 100644\n--- /dev/null\n+++ b/test/new.test.js\n@@ -0,0 +1 @@\n+new\n';
    expect(patchedFiles(testPatch).sort()).toEqual(['test/a.test.js', 'test/new.test.js']);
    await resetFilesTo(dir, base, testPatch);
    expect(readFileSync(join(dir, 'test/a.test.js'), 'utf8')).toBe('original\n');
    expect(sh(dir, 'git', ['ls-files', 'test'])).toBe('test/a.test.js\n');
    const r = await applyWithFallbacks(dir, testPatch, { label: 'test_patch' });
    expect(r.method).toBe('git apply');
  });
});
