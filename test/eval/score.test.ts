/**
 * The evaluator end to end without Docker or network: a real git mirror of a tiny repository with
 * node:test tests, run through the local (unisolated) sandbox provider. Checks the outcomes the
 * integration test cannot provoke on real data: a prediction that edits the graded tests, a patch
 * that does not apply, and an instance that crashes while the others carry on.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/log.ts';
import { type Prediction, parseInstances, scoreInstances } from '../../src/eval/index.ts';
import { runPool } from '../../src/eval/score.ts';
import { manifestKey } from '../../src/eval/setup.ts';
import { createLocalSandboxProvider } from '../../src/sandbox/index.ts';
import { commitFiles, makeRepo, sh } from '../support/git-repo.ts';
import { scoreFixture as fixture } from './score-fixture.ts';

describe('scoreInstances (local sandbox, real git)', () => {
  it('grades each instance on its own and survives one that crashes', { timeout: 60_000 }, async () => {
    const { mirrors, instances, patch } = await fixture();
    const cheat =
      "diff --git a/test/calc.test.mjs b/test/calc.test.mjs\n--- a/test/calc.test.mjs\n+++ b/test/calc.test.mjs\n@@ -4 +4,2 @@\n test('subtracts', () => assert.equal(sub(3, 1), 2));\n+test('adds', () => {});\n";
    const pred = (id: string, model_patch: string | null): [string, Prediction] => [
      id,
      { instance_id: id, model_name_or_path: 'm', model_patch },
    ];
    const predictions = new Map([
      pred('acme__calc-1', patch),
      pred('acme__calc-2', ''),
      pred(
        'acme__calc-3',
        'diff --git a/src/other.js b/src/other.js\n--- a/src/other.js\n+++ b/src/other.js\n@@ -1 +1 @@\n-x\n+y\n',
      ),
      pred('acme__calc-4', cheat),
      pred('acme__calc-5', patch),
      // acme__calc-6 has no prediction: counted, not run.
    ]);
    const outDir = await mkdtemp(join(tmpdir(), 'eval-out-'));
    const { config } = loadConfig({ env: {} });
    const summary = await scoreInstances({
      instances,
      predictions,
      outDir,
      cacheDir: await mkdtemp(join(tmpdir(), 'eval-cache-')),
      mirrorDir: mirrors,
      workers: 2,
      config,
      logger: silentLogger(),
      provider: createLocalSandboxProvider({ allowLocal: true }),
      isRoot: false,
    });
    expect(summary).toMatchObject({
      total_instances: 6,
      submitted_instances: 5,
      resolved_ids: ['acme__calc-1'],
      // The cheat edited the graded test file; it was reset to the base before the test patch.
      unresolved_ids: ['acme__calc-4'],
      empty_patch_ids: ['acme__calc-2'],
      patch_failed_ids: ['acme__calc-3'],
      error_ids: ['acme__calc-3', 'acme__calc-5'],
      incomplete_ids: ['acme__calc-6'],
    });
    const report = JSON.parse(await readFile(join(outDir, 'acme__calc-1', 'report.json'), 'utf8'));
    expect(report).toEqual({
      'acme__calc-1': {
        patch_is_None: false,
        patch_exists: true,
        patch_successfully_applied: true,
        resolved: true,
        tests_status: {
          FAIL_TO_PASS: { success: ['test/calc.test.mjs:adds'], failure: [] },
          PASS_TO_PASS: { success: ['test/calc.test.mjs:subtracts'], failure: [] },
        },
      },
    });
    const cheated = JSON.parse(await readFile(join(outDir, 'acme__calc-4', 'report.json'), 'utf8'));
    expect(cheated['acme__calc-4'].tests_status.FAIL_TO_PASS.failure).toEqual(['test/calc.test.mjs:adds']);
    const results = (await readFile(join(outDir, 'results.jsonl'), 'utf8')).trim().split('\n');
    expect(results).toHaveLength(5);
    expect(JSON.parse(await readFile(join(outDir, 'summary.json'), 'utf8')).resolved_instances).toBe(1);
  });
});

describe('a FAIL_TO_PASS test the prediction makes skip', () => {
  it('is graded a failure, as grading.py grades it: the instance is not resolved', {
    timeout: 60_000,
  }, async () => {
    const head =
      "import { test } from 'node:test';\nimport assert from 'node:assert';\nimport * as calc from '../src/calc.mjs';\n";
    const repo = makeRepo({
      'src/calc.mjs': 'export const add = (a, b) => a - b;\n',
      'test/calc.test.mjs': `${head}test('subtracts', () => assert.equal(calc.add(3, 0), 3));\n`,
    });
    const base = sh(repo, 'git', ['rev-parse', 'HEAD']).trim();
    // The graded test skips itself when the module says so: a prediction can make it skip.
    commitFiles(
      repo,
      {
        'test/calc.test.mjs': `${head}test('subtracts', () => assert.equal(calc.add(3, 0), 3));\ntest('adds', { skip: calc.skipAdds === true }, () => assert.equal(calc.add(1, 2), 3));\n`,
      },
      'test',
    );
    const testPatch = sh(repo, 'git', ['diff', 'HEAD~1', 'HEAD']);
    const mirrors = await mkdtemp(join(tmpdir(), 'eval-mirrors-'));
    sh(tmpdir(), 'git', ['clone', '-q', '--bare', repo, join(mirrors, 'acme__skip.git')]);
    const fix =
      '--- a/src/calc.mjs\n+++ b/src/calc.mjs\n@@ -1 +1 @@\n-export const add = (a, b) => a - b;\n+export const add = (a, b) => a + b;\n';
    const skip =
      '--- a/src/calc.mjs\n+++ b/src/calc.mjs\n@@ -1 +1,2 @@\n export const add = (a, b) => a - b;\n+export const skipAdds = true;\n';
    const instance = (id: string) =>
      JSON.stringify({
        instance_id: id,
        repo: 'acme/skip',
        base_commit: base,
        patch: fix,
        test_patch: testPatch,
        FAIL_TO_PASS: ['test/calc.test.mjs:adds'],
        PASS_TO_PASS: ['test/calc.test.mjs:subtracts'],
        test_cmd: 'node --test',
      });
    const instances = parseInstances(
      [instance('acme__skip-1'), instance('acme__skip-2')].join('\n'),
      'x.jsonl',
    );
    const outDir = await mkdtemp(join(tmpdir(), 'eval-skip-'));
    const summary = await scoreInstances({
      instances,
      predictions: new Map<string, Prediction>([
        ['acme__skip-1', { instance_id: 'acme__skip-1', model_name_or_path: 'm', model_patch: fix }],
        ['acme__skip-2', { instance_id: 'acme__skip-2', model_name_or_path: 'm', model_patch: skip }],
      ]),
      outDir,
      cacheDir: `${outDir}-cache`,
      mirrorDir: mirrors,
      config: loadConfig({ env: {} }).config,
      logger: silentLogger(),
      provider: createLocalSandboxProvider({ allowLocal: true }),
      isRoot: false,
    });
    expect(summary.resolved_ids).toEqual(['acme__skip-1']);
    expect(summary.unresolved_ids).toEqual(['acme__skip-2']);
    const statuses = JSON.parse(await readFile(join(outDir, 'acme__skip-2', 'test_status.json'), 'utf8'));
    expect(statuses['test/calc.test.mjs:adds']).toBe('SKIPPED');
    const report = JSON.parse(await readFile(join(outDir, 'acme__skip-2', 'report.json'), 'utf8'));
    expect(report['acme__skip-2'].tests_status.FAIL_TO_PASS).toEqual({
      success: [],
      failure: ['test/calc.test.mjs:adds'],
    });
    expect(report['acme__skip-2'].resolved).toBe(false);
  });
});

describe('runPool', () => {
  it('never runs more than `workers` at once and runs every item', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await runPool([1, 2, 3, 4, 5], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      seen.push(n);
      running--;
    });
    expect(peak).toBe(2);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('manifestKey', () => {
  it('ignores the version field but not the dependencies', async () => {
    const dir = makeRepo({
      'package.json': JSON.stringify({ version: '1.0.0', devDependencies: { jest: '^22' } }),
    });
    const k1 = await manifestKey(dir, 'npm install', 'img');
    commitFiles(
      dir,
      {
        'package.json': JSON.stringify({
          version: '1.0.1',
          scripts: { x: 'y' },
          devDependencies: { jest: '^22' },
        }),
      },
      'release',
    );
    expect(await manifestKey(dir, 'npm install', 'img')).toBe(k1);
    commitFiles(
      dir,
      { 'package.json': JSON.stringify({ version: '1.0.1', devDependencies: { jest: '^23' } }) },
      'bump',
    );
    expect(await manifestKey(dir, 'npm install', 'img')).not.toBe(k1);
    expect(await manifestKey(dir, 'npm ci', 'img')).not.toBe(await manifestKey(dir, 'npm install', 'img'));
  });
});
