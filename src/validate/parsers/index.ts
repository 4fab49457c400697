/** One entry point over every result format; null means "no per-test results from this text". */
import type { ParsedResults, ResultFormat } from '../types.ts';
import { parseGoTestJson } from './go-json.ts';
import { parseJestJson } from './jest-json.ts';
import { parseJunitXml } from './junit.ts';
import { parseLibtest } from './libtest.ts';
import { parseMochaJson, parseMochaSpec } from './mocha.ts';
import { parsePytestSummary } from './pytest.ts';
import { parseTap } from './tap.ts';

export function parseResults(
  format: ResultFormat,
  text: string,
  options: { workdir?: string } = {},
): ParsedResults | null {
  switch (format) {
    case 'junit-xml':
      return parseJunitXml(text, options);
    case 'tap':
      return parseTap(text);
    case 'jest-json':
      return parseJestJson(text, options);
    case 'mocha-json':
      return parseMochaJson(text, options);
    case 'mocha-spec':
      return parseMochaSpec(text);
    case 'pytest-summary':
      return parsePytestSummary(text);
    case 'go-json':
      return parseGoTestJson(text);
    case 'libtest':
      return parseLibtest(text);
    case 'exit-code':
      return null;
  }
}

export {
  parseGoTestJson,
  parseJestJson,
  parseJunitXml,
  parseLibtest,
  parseMochaJson,
  parseMochaSpec,
  parsePytestSummary,
  parseTap,
};
