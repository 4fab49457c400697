import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/index.ts';
import { checkPatchPolicy } from '../../src/workspace/index.ts';

const { github } = loadConfig({ env: {} }).config;
const policy = { protectedPaths: github.protectedPaths, maxDeletedFiles: github.maxDeletedFiles };

const added = (path: string, line = 'x') =>
  `diff --git a/${path} b/${path}\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+${line}\n`;
const modified = (path: string) =>
  `diff --git a/${path} b/${path}\nindex 1111111..2222222 100644\n--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-a\n+b\n`;
const deleted = (path: string) =>
  `diff --git a/${path} b/${path}\ndeleted file mode 100644\nindex 1111111..0000000\n--- a/${path}\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n`;
const renamed = (from: string, to: string) =>
  `diff --git a/${from} b/${to}\nsimilarity index 100%\nrename from ${from}\nrename to ${to}\n`;

describe('THREAT #13: workflow tampering', () => {
  it('adding, editing, deleting or renaming into/out of .github/workflows is refused by the host', () => {
    for (const patch of [
      added('.github/workflows/ci.yml', 'on: push'),
      modified('.github/workflows/nested/deploy.yaml'),
      deleted('.github/workflows/release.yml'),
      renamed('ci.yml', '.github/workflows/ci.yml'),
      renamed('.github/workflows/ci.yml', 'old-ci.yml'),
    ]) {
      const violations = checkPatchPolicy(patch, policy);
      expect(violations.map((v) => v.rule)).toContain('protected_path');
    }
    expect(checkPatchPolicy(modified('src/calc.js'), policy)).toEqual([]);
  });

  it('the app manifest never asks for workflows, actions, administration, secrets or members', () => {
    const manifest = parse(readFileSync(join(import.meta.dirname, '../../app.yml'), 'utf8')) as {
      default_permissions: Record<string, string>;
    };
    const asked = Object.keys(manifest.default_permissions);
    for (const never of ['workflows', 'actions', 'administration', 'secrets', 'members'])
      expect(asked).not.toContain(never);
    expect(manifest.default_permissions.contents).toBe('write');
  });
});

describe('THREAT #14: malicious build hooks', () => {
  it('PRs are drafts by default, so CI waits for a maintainer', () => {
    expect(github.draft).toBe(true);
  });
});

describe('THREAT #21: poisoned repo content ("delete everything")', () => {
  it('a patch deleting more than maxDeletedFiles files is blocked; up to the limit passes', () => {
    const many = Array.from({ length: github.maxDeletedFiles + 1 }, (_, i) => deleted(`src/f${i}.js`)).join(
      '',
    );
    expect(checkPatchPolicy(many, policy).map((v) => v.rule)).toContain('too_many_deletions');
    const few = Array.from({ length: github.maxDeletedFiles }, (_, i) => deleted(`src/f${i}.js`)).join('');
    expect(checkPatchPolicy(few, policy)).toEqual([]);
    expect(checkPatchPolicy('', policy).map((v) => v.rule)).toEqual(['empty']);
  });
});
