/**
 * Turns a discovered command into what is executed. Reporter flags are added only when the runner
 * is certain and the flags reach it (see `appendable`); they change how results are reported, never
 * which tests run. Reports go to /tmp inside the sandbox, outside the repository, so they never end
 * up in the patch. Everything else runs exactly as discovered and is judged by its output or exit code.
 */
import { randomBytes } from 'node:crypto';
import { appendToScript } from './discover-node.ts';
import type { DiscoveredTestCommand, ResultFormat, TestPlan } from './types.ts';

export interface PlanOptions {
  /** Directory inside the sandbox for report files. */
  reportDir?: string;
}

function append(found: DiscoveredTestCommand, args: string): string {
  return found.packageManager
    ? appendToScript(found.command, found.packageManager, args)
    : `${found.command} ${args}`;
}

export function planTestRun(found: DiscoveredTestCommand, options: PlanOptions = {}): TestPlan {
  const base = {
    command: found.command,
    exec: found.command,
    runner: found.runner,
    source: found.source,
    env: {},
  };
  const reportPath = (ext: string) =>
    `${options.reportDir ?? '/tmp'}/conjecture-tests-${randomBytes(4).toString('hex')}.${ext}`;
  const asIs = (outputFormat: ResultFormat): TestPlan => ({ ...base, outputFormat });
  const { appendable } = found;

  switch (found.runner) {
    case 'jest': {
      if (!appendable) return asIs('exit-code');
      const path = reportPath('json');
      return {
        ...base,
        exec: append(found, `--json --outputFile=${path}`),
        report: { path, format: 'jest-json' },
        outputFormat: 'exit-code',
      };
    }
    case 'vitest': {
      if (!appendable) return asIs('exit-code');
      const path = reportPath('json');
      // Keep the default reporter too: its text is what the agent reads when a test fails.
      const args = `--reporter=default --reporter=json --outputFile.json=${path}`;
      return {
        ...base,
        exec: append(found, args),
        report: { path, format: 'jest-json' },
        outputFormat: 'exit-code',
      };
    }
    case 'node-test': {
      if (!appendable) return asIs('exit-code');
      const path = reportPath('xml');
      // `node --test` stops reading its own flags at the first file name, so appended flags would go
      // to the tests; NODE_OPTIONS reaches the runner wherever the script puts them.
      const nodeOptions = `--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=${path}`;
      return {
        ...base,
        env: { NODE_OPTIONS: nodeOptions },
        report: { path, format: 'junit-xml' },
        outputFormat: 'exit-code',
      };
    }
    case 'pytest': {
      if (!appendable) return asIs('pytest-summary');
      const path = reportPath('xml');
      return {
        ...base,
        exec: append(found, `-rA --junitxml=${path}`),
        report: { path, format: 'junit-xml' },
        outputFormat: 'pytest-summary',
      };
    }
    case 'go':
      return appendable
        ? { ...base, exec: found.command.replace(/\bgo test\b/, 'go test -json'), outputFormat: 'go-json' }
        : asIs('exit-code');
    case 'tap':
      return appendable
        ? { ...base, exec: append(found, '--reporter=tap'), outputFormat: 'tap' }
        : asIs('exit-code');
    case 'ava':
      return appendable ? { ...base, exec: append(found, '--tap'), outputFormat: 'tap' } : asIs('exit-code');
    case 'mocha':
      // Mocha's default spec text is read as is, and only trusted when it adds up (parseMochaSpec).
      return asIs('mocha-spec');
    case 'cargo':
      return asIs('libtest');
    default:
      return asIs('exit-code');
  }
}
