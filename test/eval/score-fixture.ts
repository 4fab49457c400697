/**
 * A tiny repository with node:test tests, mirrored bare, and SWE-bench instances on it: the reference
 * fix, the test patch that adds the FAIL_TO_PASS test, and `acme__calc-5` on a repository that has no
 * mirror (it cannot be cloned). For the evaluator's tests without Docker or network.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInstances } from '../../src/eval/index.ts';
import { commitFiles, makeRepo, sh } from '../support/git-repo.ts';

const ADD_TEST = `import { test } from 'node:test';\nimport assert from 'node:assert';\nimport { add, sub } from '../src/calc.mjs';\ntest('subtracts', () => assert.equal(sub(3, 1), 2));\n`;

/** `extra` adds or overrides instance fields by id (e.g. a slow `test_cmd`). */
export async function scoreFixture(extra: Record<string, Record<string, unknown>> = {}) {
  const repo = makeRepo({
    'src/calc.mjs': 'export const add = (a, b) => a - b;\nexport const sub = (a, b) => a - b;\n',
    'test/calc.test.mjs': ADD_TEST,
  });
  const base = sh(repo, 'git', ['rev-parse', 'HEAD']).trim();
  // The reference fix and the test patch, as diffs git wrote.
  commitFiles(
    repo,
    { 'src/calc.mjs': 'export const add = (a, b) => a + b;\nexport const sub = (a, b) => a - b;\n' },
    'fix',
  );
  const patch = sh(repo, 'git', ['diff', 'HEAD~1', 'HEAD']);
  commitFiles(
    repo,
    { 'test/calc.test.mjs': `${ADD_TEST}test('adds', () => assert.equal(add(1, 2), 3));\n` },
    'test',
  );
  const testPatch = sh(repo, 'git', ['diff', 'HEAD~1', 'HEAD']);
  const mirrors = await mkdtemp(join(tmpdir(), 'eval-mirrors-'));
  sh(tmpdir(), 'git', ['clone', '-q', '--bare', repo, join(mirrors, 'acme__calc.git')]);
  const line = (id: string, own: Record<string, unknown> = {}) =>
    JSON.stringify({
      instance_id: id,
      repo: 'acme/calc',
      base_commit: base,
      patch,
      test_patch: testPatch,
      FAIL_TO_PASS: ['test/calc.test.mjs:adds'],
      PASS_TO_PASS: '["test/calc.test.mjs:subtracts"]',
      test_cmd: 'node --test',
      ...own,
      ...extra[id],
    });
  const jsonl = [
    line('acme__calc-1'),
    line('acme__calc-2'),
    line('acme__calc-3'),
    line('acme__calc-4'),
    line('acme__calc-5', { repo: 'acme/missing' }),
    line('acme__calc-6'),
  ].join('\n');
  // `jsonl` is the instances file's text, for the CLI.
  return { mirrors, instances: parseInstances(jsonl, 'fixture.jsonl'), patch, jsonl };
}
