import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecOptions, ExecResult, Sandbox } from '../../src/core/sandbox.ts';
import {
  type DiscoveredTestCommand,
  dependencyEnv,
  planTestRun,
  runSetup,
  runTests,
  type TestPlan,
} from '../../src/validate/index.ts';
import { inWorkspaceEnv } from '../../src/validate/workspace-env.ts';

const sample = (name: string) =>
  readFileSync(join(import.meta.dirname, '../fixtures/validate/outputs', name), 'utf8');

interface Call {
  command: string;
  options: ExecOptions | undefined;
}

/** A sandbox whose test command prints `output` and whose report file holds `report` (if any). */
function fakeSandbox(script: { output: string; exitCode: number; report?: string; truncated?: boolean }) {
  const calls: Call[] = [];
  const result = (output: string, exitCode: number, truncated = false): ExecResult => ({
    output,
    exitCode,
    timedOut: false,
    truncated,
    elidedBytes: truncated ? 1000 : 0,
    durationMs: 42,
  });
  const sandbox = {
    id: 'fake',
    workdir: '/workspace',
    async exec(command: string, options?: ExecOptions) {
      calls.push({ command, options });
      if (command.startsWith('cat -- '))
        return script.report === undefined ? result('cat: no such file', 1) : result(script.report, 0);
      return result(script.output, script.exitCode, script.truncated);
    },
    async dispose() {},
  } satisfies Sandbox;
  return { sandbox, calls };
}

const found = (over: Partial<DiscoveredTestCommand>): DiscoveredTestCommand => ({
  command: 'npm test',
  runner: 'unknown',
  source: 'package.json',
  appendable: true,
  packageManager: 'npm',
  ...over,
});

describe('planTestRun', () => {
  it('adds report flags only when the runner is certain', () => {
    const jest = planTestRun(found({ runner: 'jest' }));
    expect(jest.exec).toMatch(/^npm test -- --json --outputFile=\/tmp\/conjecture-tests-[0-9a-f]{8}\.json$/);
    expect(jest.report?.format).toBe('jest-json');
    const wrapped = planTestRun(found({ runner: 'jest', appendable: false }));
    expect(wrapped).toMatchObject({ exec: 'npm test', outputFormat: 'exit-code' });
    expect(wrapped.report).toBeUndefined();
  });

  it('keeps vitest human output, passes yarn/pnpm args directly, and uses NODE_OPTIONS for node --test', () => {
    const vitest = planTestRun(found({ runner: 'vitest', command: 'pnpm test', packageManager: 'pnpm' }));
    expect(vitest.exec).toMatch(
      /^pnpm test --reporter=default --reporter=json --outputFile\.json=\/tmp\/\S+\.json$/,
    );
    const node = planTestRun(found({ runner: 'node-test' }));
    expect(node.exec).toBe('npm test');
    expect(node.env.NODE_OPTIONS).toContain(
      `--test-reporter=junit --test-reporter-destination=${node.report?.path}`,
    );
  });

  it('asks go and pytest for machine-readable output', () => {
    const go = planTestRun(found({ runner: 'go', command: 'go test ./...', packageManager: undefined }));
    expect(go).toMatchObject({ exec: 'go test -json ./...', outputFormat: 'go-json' });
    const py = planTestRun(
      found({ runner: 'pytest', command: 'python3 -m pytest', packageManager: undefined }),
    );
    expect(py.exec).toMatch(/^python3 -m pytest -rA --junitxml=\/tmp\/\S+\.xml$/);
    expect(py.outputFormat).toBe('pytest-summary');
  });
});

describe('runTests', () => {
  const jestPlan: TestPlan = {
    command: 'npm test',
    exec: 'npm test -- --json --outputFile=/tmp/r.json',
    runner: 'jest',
    source: 'package.json',
    env: { FOO: '1' },
    report: { path: '/tmp/r.json', format: 'jest-json' },
    outputFormat: 'exit-code',
  };

  it('reads per-test results from the report and runs the command with CI set', async () => {
    const { sandbox, calls } = fakeSandbox({
      output: 'FAIL src/cart.test.js',
      exitCode: 1,
      report: sample('jest.json'),
    });
    const run = await runTests(sandbox, jestPlan, { timeoutMs: 5_000 });
    expect(run).toMatchObject({ command: 'npm test', exitCode: 1, resultsFrom: 'report', passed: false });
    expect(run.tests?.['src/cart.test.js > cart > totals > applies discounts']).toBe('failed');
    expect(calls[0]!.command).toContain("rm -f -- '/tmp/r.json'; ");
    expect(calls[0]!.command).toContain('npm test -- --json --outputFile=/tmp/r.json');
    expect(calls[0]!.options).toMatchObject({
      timeoutMs: 5_000,
      env: { CI: 'true', FOO: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    expect(calls[1]!.command).toBe("cat -- '/tmp/r.json'");
  });

  it('has no per-test results when the report is missing and the output has no format', async () => {
    const { sandbox } = fakeSandbox({ output: 'Segmentation fault', exitCode: 139 });
    const run = await runTests(sandbox, jestPlan);
    expect(run).toMatchObject({
      tests: null,
      resultsFrom: 'none',
      passed: false,
      output: 'Segmentation fault',
    });
  });

  it('parses the output, and shows go -json as the text go test would print', async () => {
    const plan: TestPlan = {
      ...jestPlan,
      command: 'go test ./...',
      exec: 'go test -json ./...',
      report: undefined,
      outputFormat: 'go-json',
    };
    const { sandbox } = fakeSandbox({ output: sample('go-test.jsonl'), exitCode: 1 });
    const run = await runTests(sandbox, plan);
    expect(run.resultsFrom).toBe('output');
    expect(run.tests?.['example.com/shop/cart/TestTotal']).toBe('passed');
    expect(run.output).toContain('--- FAIL: TestDiscount');
    expect(run.output).not.toContain('"Action"');
  });

  it('does not parse text output that the sandbox had to cut', async () => {
    const plan: TestPlan = { ...jestPlan, report: undefined, outputFormat: 'mocha-spec' };
    const { sandbox } = fakeSandbox({ output: sample('mocha-spec.txt'), exitCode: 2, truncated: true });
    expect((await runTests(sandbox, plan)).tests).toBeNull();
  });

  it('caps the output it keeps', async () => {
    const plan: TestPlan = { ...jestPlan, report: undefined };
    const { sandbox } = fakeSandbox({ output: 'y'.repeat(10_000), exitCode: 0 });
    const run = await runTests(sandbox, plan, { maxOutputChars: 1_000 });
    expect(run.output.length).toBeLessThanOrEqual(1_000);
    expect(run.passed).toBe(true);
  });
});

describe('runSetup', () => {
  it('runs the setup command with caches pointed into the workspace', async () => {
    const { sandbox, calls } = fakeSandbox({ output: 'added 12 packages', exitCode: 0 });
    const setup = await runSetup(sandbox, {
      command: 'npm ci --ignore-scripts',
      source: 'package-lock.json',
    });
    expect(setup).toMatchObject({ ok: true, exitCode: 0, output: 'added 12 packages' });
    expect(calls[0]!.options?.env).toMatchObject({ GOMODCACHE: '/workspace/.conjecture/go/pkg/mod' });
    // The state directory ignores itself, so neither patch extraction nor `git clean -fd` touches it.
    expect(calls[0]!.command).toMatch(
      /^mkdir -p \.conjecture 2>\/dev\/null && printf '\*\\n' > \.conjecture\/\.gitignore 2>\/dev\/null; npm ci --ignore-scripts$/,
    );
  });
});

describe('the virtualenv on PATH (THREATS.md #31)', () => {
  it('comes from what the host saw setup install, never from what the workspace holds', () => {
    expect(inWorkspaceEnv('npm test')).not.toMatch(/PATH|venv/);
    expect(dependencyEnv('/usr/bin:/bin', false)).toEqual({});
    expect(dependencyEnv('/usr/bin:/bin', true)).toEqual({
      VIRTUAL_ENV: '/opt/conjecture/venv',
      PATH: '/opt/conjecture/venv/bin:/usr/bin:/bin',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTEST_ADDOPTS: '-p no:cacheprovider',
    });
  });
});
