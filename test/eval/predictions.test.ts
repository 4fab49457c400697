import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type EvalResult,
  parsePredictions,
  readPredictions,
  readResults,
  writePredictions,
} from '../../src/eval/predictions.ts';

const p1 = { instance_id: 'a__b-1', model_name_or_path: 'granite', model_patch: 'diff --git a/x b/x\n' };
const p2 = { instance_id: 'a__b-2', model_name_or_path: 'granite', model_patch: null };

describe('predictions', () => {
  it('reads the list form, the dict-keyed form and JSONL alike', () => {
    const list = parsePredictions(JSON.stringify([p1, p2]), 'preds.json');
    const dict = parsePredictions(
      JSON.stringify({
        'a__b-1': { model_name_or_path: 'granite', model_patch: p1.model_patch },
        'a__b-2': p2,
      }),
      'preds.json',
    );
    const jsonl = parsePredictions(`${JSON.stringify(p1)}\n${JSON.stringify(p2)}\n`, 'preds.jsonl');
    for (const m of [list, dict, jsonl]) {
      expect([...m.keys()]).toEqual(['a__b-1', 'a__b-2']);
      expect(m.get('a__b-1')?.model_patch).toBe(p1.model_patch);
      expect(m.get('a__b-2')?.model_patch).toBeNull();
    }
  });

  it('names the entry of an invalid prediction', () => {
    expect(() => parsePredictions(JSON.stringify([p1, { model_patch: '' }]), 'preds.json')).toThrow(
      /preds\.json:item 2: invalid prediction: instance_id/,
    );
    expect(() => parsePredictions('{"instance_id": "a"}\n{', 'p.jsonl')).toThrow(
      /p\.jsonl:line 2: not valid JSON/,
    );
    expect(() => parsePredictions('{"instance_id": 1}\n{"instance_id": "b"}', 'p.jsonl')).toThrow(
      /p\.jsonl:line 1: invalid prediction: instance_id/,
    );
  });

  it('writes what it reads, in list or dict form', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eval-preds-'));
    const listPath = join(dir, 'preds.json');
    await writePredictions(listPath, [p1, p2]);
    expect(JSON.parse(await readFile(listPath, 'utf8'))).toEqual([p1, p2]);
    const dictPath = join(dir, 'dict.json');
    await writePredictions(dictPath, [p1], 'dict');
    expect(Object.keys(JSON.parse(await readFile(dictPath, 'utf8')))).toEqual(['a__b-1']);
    expect((await readPredictions(dictPath)).get('a__b-1')).toEqual(p1);
  });

  it('reads results.jsonl with the last line of an instance winning, and rejects a foreign line', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'eval-res-')), 'results.jsonl');
    const r: EvalResult = {
      instance_id: 'a',
      model_name_or_path: 'm',
      status: 'error',
      resolution: null,
      fail_to_pass: null,
      pass_to_pass: null,
      duration_ms: 5,
      error: 'clone failed',
    };
    const resolved = {
      ...r,
      status: 'resolved',
      resolution: 'RESOLVED_FULL',
      fail_to_pass: { success: 1, failure: 0 },
      pass_to_pass: { success: 2, failure: 0 },
      error: undefined,
    };
    // Written by an older version that appended a line per attempt.
    const lines = [r, { ...r, instance_id: 'b' }, resolved].map((x) => JSON.stringify(x));
    await writeFile(path, `${lines.join('\n')}\n`);
    expect((await readResults(path)).map((x) => [x.instance_id, x.status])).toEqual([
      ['b', 'error'],
      ['a', 'resolved'],
    ]);
    await writeFile(path, `${lines[0]}\n{"instance_id":"c","status":"fine"}\n`);
    await expect(readResults(path)).rejects.toThrow(/results\.jsonl:line 2: not an evaluation result/);
  });
});
