import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  InstanceFileError,
  loadInstances,
  parseInstances,
  selectInstances,
} from '../../src/eval/instances.ts';
import { REPO_SPECS, specFor, testFiles } from '../../src/eval/specs.ts';

const base = {
  repo: 'iamkun/dayjs',
  base_commit: 'a9d7d0398d22ebd4bfc3812ca0134a97606d54d9',
  problem_statement: 'Calling tz() overrides locale',
  patch: 'diff --git a/x b/x\n',
  test_patch: '',
};

describe('parseInstances', () => {
  it('accepts FAIL_TO_PASS/PASS_TO_PASS as arrays and as JSON strings (the official form)', () => {
    const text = [
      JSON.stringify({ ...base, instance_id: 'a-1', FAIL_TO_PASS: ['test/a.test.js'], PASS_TO_PASS: [] }),
      '',
      JSON.stringify({
        ...base,
        instance_id: 'a-2',
        FAIL_TO_PASS: '["t::x", "t::y"]',
        PASS_TO_PASS: '[]',
        version: 1.2,
      }),
    ].join('\n');
    const out = parseInstances(text, 'dev.jsonl');
    expect(out.map((i) => i.FAIL_TO_PASS)).toEqual([['test/a.test.js'], ['t::x', 't::y']]);
    expect(out[1]?.version).toBe('1.2');
  });

  it('reads a JSON array file as well as JSONL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eval-inst-'));
    const path = join(dir, 'set.json');
    await writeFile(path, JSON.stringify([{ ...base, instance_id: 'b-1', FAIL_TO_PASS: [] }]));
    const out = await loadInstances(path);
    expect(out).toHaveLength(1);
    expect(out[0]?.PASS_TO_PASS).toEqual([]);
  });

  it('names the line and field of a bad instance', () => {
    const text = [
      JSON.stringify({ ...base, instance_id: 'ok-1', FAIL_TO_PASS: [] }),
      JSON.stringify({ ...base, instance_id: 'bad-2', repo: 'no-slash', FAIL_TO_PASS: [] }),
    ].join('\n');
    expect(() => parseInstances(text, 'dev.jsonl')).toThrow(
      /dev\.jsonl:line 2: invalid instance: repo: expected "owner\/name"/,
    );
  });

  it('names the line of invalid JSON and of an undecodable id list', () => {
    expect(() => parseInstances('{"instance_id": "x",\n', 'f.jsonl')).toThrow(
      /f\.jsonl:line 1: not valid JSON/,
    );
    const bad = JSON.stringify({ ...base, instance_id: 'c', FAIL_TO_PASS: '[not json' });
    expect(() => parseInstances(`\n${bad}`, 'f.jsonl')).toThrow(
      /line 2: .*FAIL_TO_PASS: expected an array of test ids/,
    );
  });

  it('rejects duplicate instance ids', () => {
    const line = JSON.stringify({ ...base, instance_id: 'dup', FAIL_TO_PASS: [] });
    expect(() => parseInstances(`${line}\n${line}`, 'f.jsonl')).toThrow(InstanceFileError);
  });
});

describe('selectInstances', () => {
  const list = ['iamkun__dayjs-1', 'iamkun__dayjs-2', 'expressjs__express-3', 'x__y-4'].map(
    (instance_id) => ({ instance_id }),
  );
  const ids = (l: { instance_id: string }[]) => l.map((i) => i.instance_id);

  it('filters by exact id or /regex/, comma-separated or repeated', () => {
    expect(ids(selectInstances(list, { filter: ['/dayjs/'] }))).toEqual([
      'iamkun__dayjs-1',
      'iamkun__dayjs-2',
    ]);
    expect(ids(selectInstances(list, { filter: ['x__y-4,expressjs__express-3'] }))).toEqual([
      'expressjs__express-3',
      'x__y-4',
    ]);
    expect(ids(selectInstances(list, { filter: ['iamkun__dayjs'] }))).toEqual([]);
  });

  it('slices like Python, after filtering', () => {
    expect(ids(selectInstances(list, { slice: '1:3' }))).toEqual(['iamkun__dayjs-2', 'expressjs__express-3']);
    expect(ids(selectInstances(list, { slice: '-1:' }))).toEqual(['x__y-4']);
    expect(ids(selectInstances(list, { filter: ['/dayjs/'], slice: ':1' }))).toEqual(['iamkun__dayjs-1']);
    expect(() => selectInstances(list, { slice: 'a:b' })).toThrow(/invalid --slice/);
  });
});

describe('specFor', () => {
  const inst = (extra: Record<string, unknown>) =>
    parseInstances(
      JSON.stringify({
        ...base,
        instance_id: 'i',
        FAIL_TO_PASS: ['test/a.test.js:x y'],
        PASS_TO_PASS: ['test/b.test.js'],
        ...extra,
      }),
      's',
    )[0]!;

  it('uses the built-in table for the known JavaScript repositories', () => {
    const dayjs = specFor(inst({}));
    expect(dayjs.install).toBe('npm install --ignore-scripts --legacy-peer-deps');
    expect(dayjs.runner.name).toBe('jest');
    expect(testFiles(dayjs, ['test/b.test.js', 'test/a.test.js:x y', 'test/b.test.js'])).toEqual([
      'test/a.test.js',
      'test/b.test.js',
    ]);
    const express = specFor(inst({ repo: 'expressjs/express' }));
    expect(express.runner.name).toBe('mocha');
    expect(testFiles(express, ['app should work'])).toEqual(['test/', 'test/acceptance/']);
    expect(REPO_SPECS['anuraghazra/github-readme-stats']?.testCmd).toContain('--experimental-vm-modules');
  });

  it('takes install/test_cmd extras for other repositories and infers the runner', () => {
    const py = specFor(inst({ repo: 'a/b', install: 'pip install -e .', test_cmd: 'python -m pytest -x' }));
    expect(py.runner.name).toBe('pytest');
    expect(py.manifestOnly).toBe(false);
    const node = specFor(inst({ repo: 'a/b', install: 'npm ci', test_cmd: 'node --test' }));
    expect(node.runner.name).toBe('node-test');
    expect(node.manifestOnly).toBe(true);
    expect(() => specFor(inst({ repo: 'a/b' }))).toThrow(/no test command known for a\/b/);
    expect(() => specFor(inst({ repo: 'a/b', test_cmd: 'make check' }))).toThrow(
      /cannot tell which test runner/,
    );
  });
});
