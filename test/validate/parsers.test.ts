import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseGoTestJson,
  parseJestJson,
  parseJunitXml,
  parseLibtest,
  parseMochaJson,
  parseMochaSpec,
  parsePytestSummary,
  parseTap,
} from '../../src/validate/parsers/index.ts';

const sample = (name: string) =>
  readFileSync(join(import.meta.dirname, '../fixtures/validate/outputs', name), 'utf8');
const workdir = '/workspace';

describe('JUnit XML', () => {
  it('reads pytest --junitxml: failures, skips and xfails', () => {
    const r = parseJunitXml(sample('pytest-junit.xml'), { workdir })!;
    expect(r.tests).toEqual({
      'tests.test_calc > test_add': 'passed',
      'tests.test_calc > test_eq[1-1]': 'passed',
      'tests.test_calc > test_eq[2-3]': 'failed',
      'tests.test_calc > test_later': 'skipped',
      'tests.test_calc > test_known': 'skipped',
      'tests.test_calc.TestParser > test_parse': 'failed',
    });
    expect(r.messages['tests.test_calc > test_eq[2-3]']).toContain('>       assert a == b');
    expect(r.messages['tests.test_calc.TestParser > test_parse']).toContain('ValueError: bad token');
  });

  it("reads node --test's junit reporter, including top-level cases outside any testsuite", () => {
    const r = parseJunitXml(sample('node-junit.xml'), { workdir })!;
    expect(r.tests).toEqual({
      'test/a.test.js > math > adds': 'passed',
      'test/a.test.js > math > subs': 'failed',
      'test/a.test.js > test > top': 'skipped',
    });
    expect(r.messages['test/a.test.js > math > subs']).toContain('AssertionError [ERR_ASSERTION]: 0 == 2');
    expect(r.messages['test/a.test.js > math > subs']).toContain('TestContext.<anonymous>'); // entity decoded
  });

  it('keeps CDATA failure text and returns null for text that is not JUnit', () => {
    const xml =
      '<testsuite name="s"><testcase classname="A" name="b"><error type="E"><![CDATA[boom <here>]]></error></testcase></testsuite>';
    expect(parseJunitXml(xml)).toEqual({
      tests: { 'A > b': 'failed' },
      messages: { 'A > b': 'boom <here>' },
    });
    expect(parseJunitXml('FAIL everything')).toBeNull();
  });
});

describe('TAP', () => {
  it('reads TAP 13 with not ok, # SKIP and # TODO', () => {
    const r = parseTap(sample('tap13.txt'))!;
    expect(r.tests).toEqual({
      'cart sums line items': 'passed',
      'cart applies discounts': 'failed',
      'cart converts currencies': 'skipped',
      'cart supports coupons': 'skipped',
    });
    expect(r.messages['cart applies discounts']).toContain('expected: 90');
  });

  it("reads node's nested subtests with parent names, and a failing TODO is not a failure", () => {
    const r = parseTap(sample('node-tap.txt'))!;
    expect(r.tests).toMatchObject({
      'math > adds': 'passed',
      'math > subs': 'failed',
      math: 'failed',
      top: 'skipped',
      'outer > inner ok': 'passed',
      'outer > inner bad': 'failed',
      'todo thing': 'skipped',
    });
    expect(r.messages['outer > inner bad']).toContain('assert.ok(false)');
  });

  it('ignores look-alike lines inside YAML diagnostics', () => {
    const tap = 'TAP version 13\nnot ok 1 - a\n  ---\n  ok: false\n  not ok 7 - quoted\n  ...\n1..1\n';
    expect(parseTap(tap)).toEqual({
      tests: { a: 'failed' },
      messages: { a: 'ok: false\nnot ok 7 - quoted' },
    });
  });

  it('records a run that stopped before its plan as a failure', () => {
    const r = parseTap('TAP version 13\n1..3\nok 1 - a\nok 2 - b\n')!;
    expect(r.tests['(incomplete run)']).toBe('failed');
  });
});

describe('jest / vitest JSON', () => {
  it('reads jest --json, including a file that failed to load', () => {
    const r = parseJestJson(sample('jest.json'), { workdir })!;
    expect(r.tests).toEqual({
      'src/cart.test.js > cart > totals > sums line items': 'passed',
      'src/cart.test.js > cart > totals > applies discounts': 'failed',
      'src/cart.test.js > cart > handles currencies': 'skipped',
      'src/cart.test.js > cart > supports coupons': 'skipped',
      'src/format.test.js > formats prices': 'passed',
      'src/format.test.js > rounds half up': 'passed',
      'src/checkout.test.js > (file failed to run)': 'failed',
    });
    const message = r.messages['src/cart.test.js > cart > totals > applies discounts']!;
    expect(message).toContain('Expected: 90');
    expect(message).not.toContain('\u001b['); // colours stripped
  });

  it("reads vitest's json reporter", () => {
    const r = parseJestJson(sample('vitest.json'), { workdir })!;
    expect(r.tests).toEqual({
      'calc.test.ts > calc > adds': 'passed',
      'calc.test.ts > calc > divides': 'failed',
      'calc.test.ts > calc > later': 'skipped',
      'calc.test.ts > calc > someday': 'skipped',
    });
    expect(r.messages['calc.test.ts > calc > divides']).toContain('expected 0.5 to be 0.25');
  });

  it('returns null for output that is not a report', () => {
    expect(parseJestJson('Tests: 1 failed')).toBeNull();
    expect(parseJestJson('{"ok": true}')).toBeNull();
  });
});

describe('mocha', () => {
  const expected = {
    'Calculator > divides': 'passed',
    'Calculator > multiplies later': 'skipped',
    'Calculator > add() > adds two numbers': 'passed',
    'Calculator > add() > handles negatives': 'failed',
    'Parser > parses "x | y"': 'failed',
  };

  it('reads the spec reporter text, with failure details from the numbered list', () => {
    const r = parseMochaSpec(sample('mocha-spec.txt'))!;
    expect(r.tests).toEqual(expected);
    expect(r.messages['Calculator > add() > handles negatives']).toContain('-3 !== -4');
    expect(r.messages['Parser > parses "x | y"']).toContain('TypeError: unexpected token');
  });

  it('refuses spec text whose tests do not add up to the summary', () => {
    const cut = sample('mocha-spec.txt').replace('    ✔ divides\n', '');
    expect(parseMochaSpec(cut)).toBeNull();
    expect(parseMochaSpec('no mocha here')).toBeNull();
  });

  it('reads the json reporter', () => {
    const r = parseMochaJson(sample('mocha.json'), { workdir })!;
    const prefixed = Object.fromEntries(
      Object.entries(expected).map(([id, s]) => [`test/calc.spec.js > ${id.replaceAll(' > ', ' ')}`, s]),
    );
    expect(r.tests).toEqual(prefixed);
    expect(r.messages['test/calc.spec.js > Parser parses "x | y"']).toContain('TypeError: unexpected token');
  });
});

describe('pytest -rA summary', () => {
  it('reads the short test summary and agrees with the closing counts', () => {
    const r = parsePytestSummary(sample('pytest-ra.txt'))!;
    expect(r.tests).toEqual({
      'tests/test_calc.py::test_add': 'passed',
      'tests/test_calc.py::test_eq[1-1]': 'passed',
      'tests/test_calc.py:10': 'skipped',
      'tests/test_calc.py::test_known': 'skipped',
      'tests/test_calc.py::test_eq[2-3]': 'failed',
      'tests/test_calc.py::TestParser::test_parse': 'failed',
    });
    expect(r.messages['tests/test_calc.py::TestParser::test_parse']).toBe('ValueError: bad token');
  });

  it('refuses a summary without -rA (passing tests unlisted), which would make passes look missing', () => {
    const withoutRA = sample('pytest-ra.txt').replace(/^PASSED .*\n/gm, '');
    expect(parsePytestSummary(withoutRA)).toBeNull();
  });
});

describe('go test -json', () => {
  it('reads tests, subtests, skips and a package that failed to build', () => {
    const r = parseGoTestJson(sample('go-test.jsonl'))!;
    expect(r.tests).toEqual({
      'example.com/shop/cart/TestTotal': 'passed',
      'example.com/shop/cart/TestDiscount/percent': 'failed',
      'example.com/shop/cart/TestDiscount/fixed': 'passed',
      'example.com/shop/cart/TestDiscount': 'failed',
      'example.com/shop/cart/TestSlow': 'skipped',
      'example.com/shop/cart (package)': 'failed',
      'example.com/shop/pay [example.com/shop/pay.test] (package)': 'failed',
      'example.com/shop/pay (package)': 'failed',
    });
    expect(r.messages['example.com/shop/cart/TestDiscount/percent']).toContain('want 90');
    expect(r.messages['example.com/shop/pay [example.com/shop/pay.test] (package)']).toContain(
      'undefined: fmtx',
    );
    expect(r.text).toContain('--- FAIL: TestDiscount (0.00s)\n');
    expect(r.text).not.toContain('"Action"');
  });
});

describe('cargo test (libtest)', () => {
  it('reads results per test binary, with the panic text', () => {
    const r = parseLibtest(sample('cargo-test.txt'))!;
    expect(r.tests).toEqual({
      'src/lib.rs > tests::it_adds': 'passed',
      'src/lib.rs > tests::slow_one': 'skipped',
      'src/lib.rs > tests::it_fails': 'failed',
    });
    expect(r.messages['src/lib.rs > tests::it_fails']).toContain('math is broken');
  });
});
