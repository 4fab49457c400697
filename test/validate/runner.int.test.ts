/**
 * End to end in the real Docker sandbox (no network): a tiny node:test repository is discovered,
 * run as the baseline, broken, run again, and the comparison must name the test that broke.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { Sandbox } from '../../src/core/sandbox.ts';
import { createSandboxProvider, sandboxSpecFromConfig } from '../../src/sandbox/index.ts';
import {
  compareRuns,
  discoverSetupCommand,
  discoverTestCommand,
  formatEvidence,
  formatFeedback,
  planTestRun,
  runTests,
} from '../../src/validate/index.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';

const MATH = `export const add = (a, b) => a + b;\nexport const subtract = (a, b) => a - b;\n`;
const TESTS = `import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { add, subtract } from '../src/math.js';
describe('math', () => {
  test('adds', () => assert.equal(add(2, 3), 5));
  test('subtracts', () => assert.equal(subtract(5, 3), 2));
});
test('skipped for now', { skip: 'not written' }, () => {});
`;

function makeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'conjecture-validate-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'test'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'tiny', type: 'module', scripts: { test: 'node --test' } }),
  );
  writeFileSync(join(dir, 'src/math.js'), MATH);
  writeFileSync(join(dir, 'test/math.test.js'), TESTS);
  for (const p of ['', 'src', 'test', 'package.json', 'src/math.js', 'test/math.test.js'])
    chownSync(join(dir, p), 1000, 1000);
  return dir;
}

describeIf(missingDocker(), 'validation in the Docker sandbox', () => {
  const config = loadConfig({
    env: { CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE, CONJECTURE_SANDBOX_MEMORY_MB: '512' },
  }).config;
  const repo = makeRepo();
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await createSandboxProvider(config, silentLogger()).create(
      sandboxSpecFromConfig(config.sandbox, repo),
    );
  });
  afterAll(async () => {
    await sandbox?.dispose();
  });

  it('finds the test that a change broke, by name', async () => {
    const found = discoverTestCommand(repo);
    expect(found).toMatchObject({ command: 'npm test', runner: 'node-test', appendable: true });
    expect(discoverSetupCommand(repo)).toBeNull(); // no dependencies: nothing needs the network
    const plan = planTestRun(found!);

    const baseline = await runTests(sandbox, plan, { timeoutMs: 120_000 });
    expect(baseline).toMatchObject({ exitCode: 0, passed: true, resultsFrom: 'report', timedOut: false });
    expect(baseline.tests).toEqual({
      'test/math.test.js > math > adds': 'passed',
      'test/math.test.js > math > subtracts': 'passed',
      'test/math.test.js > test > skipped for now': 'skipped',
    });

    writeFileSync(join(repo, 'src/math.js'), MATH.replace('a - b', 'a + b')); // the "change" breaks subtract
    const after = await runTests(sandbox, plan, { timeoutMs: 120_000 });
    expect(after).toMatchObject({ passed: false, resultsFrom: 'report' });
    expect(after.exitCode).not.toBe(0);

    const comparison = compareRuns(baseline, after);
    expect(comparison).toMatchObject({
      ok: false,
      verdict: 'new_failures',
      basis: 'per-test',
      newFailures: ['test/math.test.js > math > subtracts'],
      missing: [],
    });
    const feedback = formatFeedback(comparison, after);
    expect(feedback).toContain('- test/math.test.js > math > subtracts');
    expect(feedback).toContain('8 !== 2'); // the assertion text from the junit report
    expect(feedback.length).toBeLessThanOrEqual(3_000);
    expect(formatEvidence({ baseline, after, comparison })).toContain(
      '| `test/math.test.js > math > subtracts` | passed | failed |',
    );

    // Putting it right again is accepted and reported as such.
    writeFileSync(join(repo, 'src/math.js'), MATH);
    const fixed = await runTests(sandbox, plan, { timeoutMs: 120_000 });
    expect(compareRuns(baseline, fixed)).toMatchObject({ ok: true, newFailures: [] });

    // What validation leaves in the workspace is invisible to git, so it never reaches a patch.
    execFileSync('git', ['-c', 'safe.directory=*', 'init', '-q'], { cwd: repo });
    const untracked = execFileSync(
      'git',
      ['-c', 'safe.directory=*', 'status', '--porcelain', '--untracked-files=all'],
      {
        cwd: repo,
        encoding: 'utf8',
      },
    );
    expect(existsSync(join(repo, '.conjecture/.gitignore'))).toBe(true);
    expect(untracked).not.toContain('.conjecture');
    expect(untracked).toContain('src/math.js');
  });
});
