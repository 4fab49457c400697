import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, fileOfId, inferAdapter, mapToIds, splitFileId } from '../../src/eval/adapters/index.ts';
import { parseJestText } from '../../src/eval/adapters/jest.ts';
import { extractReport } from '../../src/eval/adapters/mocha.ts';

// Real runner output (jest 22, mocha 5.2, node 24 node:test, vitest 4), paths rewritten to /workspace.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const root = '/workspace';
const resultFile = '/workspace/.conjecture-eval/report.json';

describe('jest adapter', () => {
  const jest = ADAPTERS.jest;

  it('adds the JSON report flags and the files to the base command', () => {
    expect(
      jest.buildCommand({
        base: 'npx jest --coverage=false',
        files: ['test/a.test.js', "test/it's.test.js"],
        resultFile,
      }),
    ).toBe(
      `npx jest --coverage=false --json --outputFile=${resultFile} test/a.test.js 'test/it'\\''s.test.js'`,
    );
  });

  it('maps the JSON report onto file, file:full name and bare-title ids', () => {
    const results = jest.parse({ output: '', resultText: fixture('jest-report.json'), root });
    const map = mapToIds(
      [
        'test/fx/sample.test.js',
        'test/fx/broken.test.js',
        'test/fx/sample.test.js:parse reads ISO dates',
        'test/fx/sample.test.js:parse with locale keeps the locale',
        'test/fx/sample.test.js:top level test',
        'parse is skipped',
        'test/fx/missing.test.js',
      ],
      results,
    );
    expect(map).toEqual({
      'test/fx/sample.test.js': 'FAILED',
      'test/fx/broken.test.js': 'FAILED',
      'test/fx/sample.test.js:parse reads ISO dates': 'PASSED',
      'test/fx/sample.test.js:parse with locale keeps the locale': 'FAILED',
      'test/fx/sample.test.js:top level test': 'PASSED',
      'parse is skipped': 'SKIPPED',
    });
  });

  it('reads titles that are not strings (dayjs passes arrays to it())', () => {
    const report = {
      testResults: [
        {
          name: '/workspace/test/a.test.js',
          status: 'passed',
          assertionResults: [{ ancestorTitles: [], title: [2010, 6] as unknown as string, status: 'passed' }],
        },
      ],
    };
    const results = jest.parse({ output: '', resultText: JSON.stringify(report), root });
    expect(mapToIds(['test/a.test.js:2010,6', 'test/a.test.js'], results)).toEqual({
      'test/a.test.js:2010,6': 'PASSED',
      'test/a.test.js': 'PASSED',
    });
  });

  it('falls back to the text output when no report was written', () => {
    const results = jest.parse({ output: fixture('jest-verbose.txt'), resultText: null, root });
    expect(results.files).toEqual([
      { file: 'test/fx/sample.test.js', status: 'FAILED' },
      { file: 'test/fx/broken.test.js', status: 'FAILED' },
    ]);
    expect(mapToIds(['top level test', 'reads ISO dates', 'keeps the locale'], results)).toEqual({
      'top level test': 'PASSED',
      'reads ISO dates': 'PASSED',
      'keeps the locale': 'FAILED',
    });
    expect(parseJestText('PASS tests/a.test.js (5.1 s)\n  ✓ works (3 ms)\n').files).toEqual([
      { file: 'tests/a.test.js', status: 'PASSED' },
    ]);
  });
});

describe('mocha adapter', () => {
  const mocha = ADAPTERS.mocha;

  it('replaces the reporter with json and sends stdout to the report file', () => {
    expect(
      mocha.buildCommand({
        base: 'npx mocha --require test/support/env --reporter spec --check-leaks',
        files: ['test/', 'test/acceptance/'],
        resultFile,
      }),
    ).toBe(
      `npx mocha --require test/support/env --check-leaks --reporter json test/ test/acceptance/ > ${resultFile}`,
    );
  });

  it('cuts the report out of stdout that tests also logged to, and maps full and bare titles', () => {
    const results = mocha.parse({ output: '', resultText: fixture('mocha-stdout.txt'), root });
    const map = mapToIds(
      [
        'app .render(name) should render the template',
        'app .render(name) should fail on a missing view',
        'app .render(name) should be pending',
        'should Vary: Accept',
        'app with a failing hook never runs',
      ],
      results,
    );
    expect(map).toEqual({
      'app .render(name) should render the template': 'PASSED',
      'app .render(name) should fail on a missing view': 'FAILED',
      'app .render(name) should be pending': 'SKIPPED',
      'should Vary: Accept': 'PASSED',
    });
  });

  it('fails a bare title when any test of that title fails', () => {
    const text = JSON.stringify({
      stats: {},
      tests: [],
      passes: [{ title: 't', fullTitle: 'a t' }],
      failures: [{ title: 't', fullTitle: 'b t' }],
      pending: [],
    });
    expect(mapToIds(['t', 'a t'], mocha.parse({ output: text, resultText: null, root }))).toEqual({
      t: 'FAILED',
      'a t': 'PASSED',
    });
  });

  it('matches a title whose trailing space the dataset dropped', () => {
    const text = JSON.stringify({
      stats: {},
      passes: [
        { title: 'should contain app settings ', fullTitle: 'app.locals should contain app settings ' },
      ],
      failures: [],
      pending: [],
    });
    expect(
      mapToIds(
        ['should contain app settings', 'app.locals  should contain app settings'],
        mocha.parse({ output: text, resultText: null, root }),
      ),
    ).toEqual({
      'should contain app settings': 'PASSED',
      'app.locals  should contain app settings': 'PASSED',
    });
  });

  it('finds no report in truncated output', () => {
    expect(extractReport('{\n  "stats": {\n    "suites": 3,\n')).toBeNull();
  });
});

describe('node:test adapter', () => {
  const nodeTest = ADAPTERS['node-test'];

  it('runs each file on its own, announced, with the TAP reporter', () => {
    const cmd = nodeTest.buildCommand({
      base: 'node --test --test-reporter=spec',
      files: ['test/a.test.mjs'],
      resultFile,
    });
    expect(cmd).toBe(
      'for f in test/a.test.mjs; do echo "# conjecture-file: $f"; node --test --test-reporter=tap "$f"; done',
    );
    expect(nodeTest.buildCommand({ base: 'node --test', files: [], resultFile })).toBe(
      'node --test --test-reporter=tap',
    );
  });

  it('reads nested subtests, skips and failures, with the announced file', () => {
    const output = `# conjecture-file: test/math.test.mjs\n${fixture('node-test-tap.txt')}`;
    const results = nodeTest.parse({ output, resultText: null, root });
    expect(
      mapToIds(
        [
          'test/math.test.mjs:math adds',
          'math division divides by zero',
          'test/math.test.mjs:math is skipped',
          'top level',
          'test/math.test.mjs',
        ],
        results,
      ),
    ).toEqual({
      'test/math.test.mjs:math adds': 'PASSED',
      'math division divides by zero': 'FAILED',
      'test/math.test.mjs:math is skipped': 'SKIPPED',
      'top level': 'PASSED',
      'test/math.test.mjs': 'FAILED',
    });
  });

  it('takes the file from a failing test location when no file was announced', () => {
    const results = nodeTest.parse({ output: fixture('node-test-tap.txt'), resultText: null, root });
    expect(results.tests.find((t) => t.title === 'divides by zero')?.file).toBe('test/math.test.mjs');
  });
});

describe('vitest adapter', () => {
  const vitest = ADAPTERS.vitest;

  it('asks for the verbose and JSON reporters', () => {
    expect(vitest.buildCommand({ base: 'npx vitest run', files: ['test/math.test.ts'], resultFile })).toBe(
      `npx vitest run --reporter=verbose --reporter=json --outputFile.json=${resultFile} test/math.test.ts`,
    );
  });

  it('reads the JSON report and, without one, the verbose lines', () => {
    const ids = [
      'test/math.test.ts:math adds',
      'test/math.test.ts:math division divides by zero',
      'math is skipped',
      'test/math.test.ts:top level',
      'test/math.test.ts',
    ];
    const expected = {
      'test/math.test.ts:math adds': 'PASSED',
      'test/math.test.ts:math division divides by zero': 'FAILED',
      'math is skipped': 'SKIPPED',
      'test/math.test.ts:top level': 'PASSED',
      'test/math.test.ts': 'FAILED',
    };
    expect(
      mapToIds(ids, vitest.parse({ output: '', resultText: fixture('vitest-report.json'), root })),
    ).toEqual(expected);
    expect(
      mapToIds(ids, vitest.parse({ output: fixture('vitest-verbose.txt'), resultText: null, root })),
    ).toEqual(expected);
  });
});

describe('pytest adapter', () => {
  const pytest = ADAPTERS.pytest;

  it('adds -rA once and the files', () => {
    expect(pytest.buildCommand({ base: 'pytest', files: ['tests/test_utils.py'], resultFile })).toBe(
      'pytest -rA tests/test_utils.py',
    );
    expect(pytest.buildCommand({ base: 'pytest -rA -x', files: [], resultFile })).toBe('pytest -rA -x');
  });

  it('reads the -rA summary like SWE-bench, ignoring skip summaries', () => {
    const results = pytest.parse({ output: fixture('pytest-ra.txt'), resultText: null, root });
    expect(
      mapToIds(
        [
          'tests/test_utils.py::test_join',
          'tests/test_utils.py::test_split[a-b]',
          'tests/test_utils.py::TestQuote::test_quote',
          'tests/test_utils.py::test_known_bug',
          'tests/test_utils.py::test_parse_url',
          'tests/test_models.py::test_db',
          'tests/test_utils.py::test_never_ran',
        ],
        results,
      ),
    ).toEqual({
      'tests/test_utils.py::test_join': 'PASSED',
      'tests/test_utils.py::test_split[a-b]': 'PASSED',
      'tests/test_utils.py::TestQuote::test_quote': 'PASSED',
      'tests/test_utils.py::test_known_bug': 'XFAIL',
      'tests/test_utils.py::test_parse_url': 'FAILED',
      'tests/test_models.py::test_db': 'ERROR',
    });
    expect(results.tests).toHaveLength(6);
  });
});

describe('test ids', () => {
  it('splits file:name ids only when the prefix is a path', () => {
    expect(splitFileId('test/timezone.test.js:Add Time days (DST)')).toEqual({
      file: 'test/timezone.test.js',
      name: 'Add Time days (DST)',
    });
    expect(splitFileId('should Vary: Accept')).toBeNull();
    expect(splitFileId('tests/a.py::test_x')).toBeNull();
    expect(fileOfId('tests/a.py::test_x')).toBe('tests/a.py');
    expect(fileOfId('test/plugin/utc.test.js')).toBe('test/plugin/utc.test.js');
    expect(fileOfId('req .hostname should work')).toBeNull();
  });

  it('infers the runner from a test command', () => {
    expect(inferAdapter('npx vitest run')).toBe('vitest');
    expect(inferAdapter('node --experimental-vm-modules node_modules/jest/bin/jest.js')).toBe('jest');
    expect(inferAdapter('python -m pytest')).toBe('pytest');
    expect(inferAdapter('node --test test/')).toBe('node-test');
    expect(inferAdapter('make test')).toBeNull();
  });
});
