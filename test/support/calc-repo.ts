/**
 * A tiny Node project with a real bug and real tests (node:test, no dependencies, so it needs no
 * registry inside the sandbox). Used by the end-to-end tests of `conjecture fix` and the app.
 */
import { chownSync } from 'node:fs';
import { makeRepo } from './git-repo.ts';
import type { Permission, Standin, StandinRepo } from './github/standin.ts';

export const CALC_FILES = {
  'package.json': `${JSON.stringify({ name: 'calc', version: '1.0.0', type: 'commonjs', scripts: { test: 'node --test' } }, null, 2)}\n`,
  'src/calc.js':
    'function add(a, b) {\n  return a - b;\n}\n\nfunction mul(a, b) {\n  return a * b;\n}\n\nmodule.exports = { add, mul };\n',
  'test/calc.test.js':
    "const test = require('node:test');\nconst assert = require('node:assert');\nconst { add, mul } = require('../src/calc.js');\n\ntest('mul multiplies', () => {\n  assert.strictEqual(mul(3, 4), 12);\n});\n\ntest('mul by zero', () => {\n  assert.strictEqual(mul(3, 0), 0);\n});\n",
};

export const CALC_ISSUE = 'add() subtracts instead of adding\n\n`add(2, 3)` returns -1; it should return 5.';

/** Shell edits a scripted model replays. */
export const FIX_ADD = "sed -i 's/return a - b;/return a + b;/' src/calc.js";
export const BREAK_MUL = "sed -i 's/return a \\* b;/return a * b + 1;/' src/calc.js";
export const FIX_MUL = "sed -i 's/return a \\* b + 1;/return a * b;/' src/calc.js";

export function makeCalcRepo(): string {
  const dir = makeRepo(CALC_FILES, 'calc');
  chownSync(dir, 1000, 1000);
  return dir;
}

/** `octo/calc` on a GitHub stand-in, with `maintainer` (write) unless other permissions are given. */
export function addCalcRepo(
  standin: Standin,
  permissions: Record<string, Permission> = { maintainer: 'write' },
): StandinRepo {
  return standin.addRepo({ owner: 'octo', name: 'calc', sourceDir: makeRepo(CALC_FILES), permissions });
}
