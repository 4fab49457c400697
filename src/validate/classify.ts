/**
 * Recognises which test runner a shell command invokes, and whether arguments appended to it reach
 * that runner. Only a plain invocation counts as certain: anything with shell operators (`&&`, `|`,
 * `;`, redirections, substitutions) might append our reporter flags to the wrong program.
 */
import type { TestRunner } from './types.ts';

export interface Classified {
  runner: TestRunner;
  appendable: boolean;
}

const SHELL_OPERATORS = /&&|\|\||[;|<>`]|\$\(|\n/;
const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=\S*$/;
// Wrappers that run the next word as the program: `npx jest`, `cross-env X=1 vitest`, `python -m pytest`.
const WRAPPERS = new Set(['npx', 'pnpx', 'exec', 'env', 'cross-env', 'dotenv', 'time', 'nice']);

function words(command: string): string[] {
  return command.trim().split(/\s+/).filter(Boolean);
}

/** Drops env assignments and wrapper programs (with their own flags) before the real program. */
function programWords(command: string): string[] {
  const all = words(command);
  let i = 0;
  for (;;) {
    const w = all[i];
    if (w === undefined) return [];
    if (ENV_ASSIGNMENT.test(w)) i++;
    else if (WRAPPERS.has(w)) {
      i++;
      while (all[i]?.startsWith('-')) i++;
    } else if (/^(pnpm|yarn|bunx?)$/.test(w) && (all[i + 1] === 'exec' || all[i + 1] === 'dlx')) i += 2;
    else if (/^python[0-9.]*$/.test(w) && all[i + 1] === '-m') i += 2;
    else return all.slice(i);
  }
}

function programName(word: string): string {
  return word.replace(/^.*node_modules\/\.bin\//, '').replace(/^\.\//, '');
}

export function classifyCommand(command: string): Classified {
  const plain = !SHELL_OPERATORS.test(command);
  const ws = programWords(command);
  const program = programName(ws[0] ?? '');
  const runner = runnerOf(program, ws.slice(1));
  // node --test takes its reporter through NODE_OPTIONS, so appending is never needed there.
  return { runner, appendable: plain && runner !== 'unknown' && runner !== 'node-test' };
}

function runnerOf(program: string, args: string[]): TestRunner {
  switch (program) {
    case 'jest':
    case 'vitest':
    case 'mocha':
    case 'ava':
    case 'tox':
    case 'make':
      return program;
    case 'tap':
    case 'tap-run':
      return 'tap';
    case 'pytest':
    case 'py.test':
      return 'pytest';
    case 'node':
      return args.includes('--test') ? 'node-test' : 'unknown';
    case 'go':
      return args[0] === 'test' ? 'go' : 'unknown';
    case 'cargo':
      return args[0] === 'test' ? 'cargo' : 'unknown';
    default:
      return 'unknown';
  }
}

/** Runs of `node --test` in a script; reporter settings via NODE_OPTIONS are safe only for one. */
export function countNodeTestRuns(script: string): number {
  return script.match(/\bnode\b[^&|;]*\s--test\b/g)?.length ?? 0;
}

/** `npm test`, `npm run test`, `yarn test`, `pnpm run test`...: the package's own test script. */
export function isPackageTestCommand(command: string): boolean {
  return /^\s*(npm|yarn|pnpm|bun)\s+(run\s+)?test\s*$/.test(command) || /^\s*npm\s+t\s*$/.test(command);
}
