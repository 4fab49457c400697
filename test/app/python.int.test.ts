/**
 * The GitHub App on a Python repository whose tests need packages from an index (a PEP 503 index on
 * loopback, built by the test): setup installs them through the egress proxy into an environment
 * outside the checkout, baseline fails, the scripted fix validates, and the PR carries pytest's
 * results as evidence and a branch that changes only the fix.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { describeIf, missingDocker } from '../support/prereq.ts';
import { FIX_DISCOUNT, PRICING_FILES, PRICING_WHEELS } from '../support/pricing-repo.ts';
import { type PackageIndex, startPackageIndex } from '../support/pypi-index.ts';
import { type AppHarness, bash, SUBMIT, startAppHarness } from './harness.ts';

let h: AppHarness | undefined;
let index: PackageIndex | undefined;
afterEach(async () => {
  await h?.close();
  await index?.close();
  h = undefined;
  index = undefined;
});

describeIf(missingDocker(), 'GitHub App on a Python repository with dependencies from an index', () => {
  it('opens a PR whose evidence is pytest passing and whose branch holds only the fix', {
    timeout: 10 * 60_000,
  }, async () => {
    index = await startPackageIndex(PRICING_WHEELS);
    h = await startAppHarness(
      [
        bash('Reproduce.', 'python3 -m pytest -q 2>&1 | tail -3'),
        bash('Subtract the discount.', FIX_DISCOUNT),
        bash('Verify.', 'python3 -m pytest -q 2>&1 | tail -3'),
        SUBMIT,
      ],
      {},
      { CONJECTURE_SANDBOX_PIP_INDEX_URL: index.url, CONJECTURE_SANDBOX_SETUP_ALLOW: index.hostPort },
      PRICING_FILES,
    );
    await h.hook('issues', h.labeled('maintainer'));
    await h.app.idle();

    expect([...index.downloads].sort()).toEqual([
      'tinyassert-0.3-py3-none-any.whl',
      'tinymath-1.0-py3-none-any.whl',
    ]);
    expect(h.repo.pulls.size).toBe(1);
    const pr = [...h.repo.pulls.values()][0]!;
    expect(pr.body).toContain('python3 -m pytest');
    expect(pr.body).toContain('| passed | 1 | 2 |');
    expect(pr.body).toContain('| failed | 1 | 0 |');
    expect(pr.body).toContain('| `tests.test_pricing > test_discount` | failed | passed |');
    const files = execFileSync('git', ['-C', h.repo.bareDir, 'diff', '--name-only', `main..${pr.head}`], {
      encoding: 'utf8',
    });
    expect(files.trim().split('\n')).toEqual(['pricing/__init__.py']);
    expect(h.repo.checkRuns).toMatchObject([{ name: 'Conjecture validation', conclusion: 'success' }]);
    expect(h.issue().labels).toContain('conjecture:done');
  });
});
