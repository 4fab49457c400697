/**
 * Adapters for runners read only through their console log, the way SWE-bench's harness reads the
 * Python repositories (`swebench/harness/log_parsers/python.py`): the command is the spec's test
 * command followed by the test directives, and a parser turns the log into `{test id: status}`.
 * The ids are the parser's own keys, so they match the dataset's FAIL_TO_PASS/PASS_TO_PASS exactly.
 */
import { shellQuote } from './map-ids.ts';
import type { AdapterName, RunnerResults, TestAdapter, TestStatus } from './types.ts';

export type LogParser = (log: string) => Map<string, TestStatus>;

export function createLogAdapter(name: AdapterName, parse: LogParser): TestAdapter {
  return {
    name,
    buildCommand: ({ base, files }) => [base, ...files.map(shellQuote)].join(' '),
    parse: ({ output }) => resultsOf(parse(output)),
  };
}

export function resultsOf(statuses: Map<string, TestStatus>): RunnerResults {
  return { tests: [...statuses].map(([name, status]) => ({ name, status })), files: [] };
}
