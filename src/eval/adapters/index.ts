import { parseDjangoLog } from './django.ts';
import { jestAdapter } from './jest.ts';
import { createLogAdapter } from './log-adapter.ts';
import { mochaAdapter } from './mocha.ts';
import { nodeTestAdapter } from './node-test.ts';
import { pytestAdapter } from './pytest.ts';
import {
  parseMatplotlibLog,
  parsePytestOptionsLog,
  parsePytestV2Log,
  parseSeabornLog,
} from './pytest-logs.ts';
import { parseSympyLog } from './sympy.ts';
import type { AdapterName, TestAdapter } from './types.ts';
import { vitestAdapter } from './vitest.ts';

export { fileOfId, mapToIds, shellQuote, splitFileId } from './map-ids.ts';
export type * from './types.ts';
export { ADAPTER_NAMES } from './types.ts';

export const ADAPTERS: Record<AdapterName, TestAdapter> = {
  jest: jestAdapter,
  mocha: mochaAdapter,
  vitest: vitestAdapter,
  'node-test': nodeTestAdapter,
  pytest: pytestAdapter,
  'pytest-options': createLogAdapter('pytest-options', parsePytestOptionsLog),
  'pytest-v2': createLogAdapter('pytest-v2', parsePytestV2Log),
  seaborn: createLogAdapter('seaborn', parseSeabornLog),
  matplotlib: createLogAdapter('matplotlib', parseMatplotlibLog),
  sympy: createLogAdapter('sympy', parseSympyLog),
  django: createLogAdapter('django', parseDjangoLog),
};

/** The runner a test command invokes, judged from its words; null when it names none we read. */
export function inferAdapter(testCmd: string): AdapterName | null {
  if (/\bvitest\b/.test(testCmd)) return 'vitest';
  if (/\bjest\b/.test(testCmd)) return 'jest';
  if (/\bmocha\b/.test(testCmd)) return 'mocha';
  if (/\bpytest\b/.test(testCmd)) return 'pytest';
  if (/\bnode\b.*\s--test\b/.test(testCmd)) return 'node-test';
  return null;
}
