/**
 * The evaluator on SWE-bench Verified's Python side, offline: 6 sympy instances (../shared/swebench-py)
 * scored the official way — sympy's `bin/test -C --verbose` on the test patch's files, read by the
 * sympy log parser — in a local image with the official images' layout (repository at /testbed,
 * `conda activate testbed`), built from Debian packages. Reference patches resolve 6/6; empty
 * patches and patches swapped between instances resolve none.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/log.ts';
import {
  goldPredictions,
  loadInstances,
  type Prediction,
  type SwebenchInstance,
  scoreInstances,
} from '../../src/eval/index.ts';
import { createSandboxProvider } from '../../src/sandbox/index.ts';
import { describeIf, missingDocker } from '../support/prereq.ts';
import { EVAL_CACHE, missingSwebenchPy, type SwebenchData, swebenchPyData } from '../support/swebench.ts';
import { ensureSwebenchPyImage, missingSwebenchPyImage } from '../support/swebench-py-image.ts';

let data: SwebenchData;
let instances: SwebenchInstance[] = [];
let image = '';

async function score(name: string, predictions: Map<string, Prediction>) {
  const { config: base } = loadConfig({ env: {} });
  const config = { ...base, sandbox: { ...base.sandbox, image } };
  const outDir = await mkdtemp(join(tmpdir(), `conjecture-eval-py-${name}-`));
  const started = Date.now();
  const summary = await scoreInstances({
    instances,
    predictions,
    outDir,
    cacheDir: EVAL_CACHE,
    mirrorDir: data.mirrorDir,
    workers: 2,
    config,
    provider: createSandboxProvider(config, silentLogger()),
    logger: silentLogger(),
    testTimeoutMs: 30 * 60_000,
  });
  process.stderr.write(
    `[eval py ${name}] ${summary.resolved_instances}/${summary.total_instances} resolved in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
  return { summary, outDir };
}

describeIf(
  missingDocker() ?? missingSwebenchPy() ?? missingSwebenchPyImage(),
  'eval score on swebench-py (6 sympy instances of SWE-bench Verified)',
  () => {
    beforeAll(async () => {
      data = await swebenchPyData();
      image = await ensureSwebenchPyImage();
      instances = await loadInstances(data.dataset);
    }, 35 * 60_000);

    it('resolves all 6 with their reference patches, through bin/test and the sympy parser', {
      timeout: 90 * 60_000,
    }, async () => {
      expect(instances).toHaveLength(6);
      const { summary, outDir } = await score('gold', goldPredictions(instances));
      expect(summary.error_ids).toEqual([]);
      expect(summary.unresolved_ids).toEqual([]);
      expect(summary.resolved_instances).toBe(6);
      const id = 'sympy__sympy-19495';
      const output = await readFile(join(outDir, id, 'test_output.txt'), 'utf8');
      expect(output).toContain('source /opt/miniconda3/bin/activate && conda activate testbed');
      expect(output).toContain('bin/test -C --verbose sympy/sets/tests/test_conditionset.py');
      expect(output).toContain('executable:         /opt/miniconda3/envs/testbed/bin/python');
      expect(output).toMatch(/^test_subs_CondSet ok$/m);
      const report = JSON.parse(await readFile(join(outDir, id, 'report.json'), 'utf8'));
      expect(report[id].tests_status.FAIL_TO_PASS).toEqual({ success: ['test_subs_CondSet'], failure: [] });
      expect(report[id].tests_status.PASS_TO_PASS.success).toHaveLength(8);
    });

    it('resolves none with empty patches', { timeout: 5 * 60_000 }, async () => {
      const empty = new Map(
        instances.map((i) => [
          i.instance_id,
          { instance_id: i.instance_id, model_name_or_path: 'empty', model_patch: '' },
        ]),
      );
      const { summary } = await score('empty', empty);
      expect(summary.resolved_instances).toBe(0);
      expect(summary.empty_patch_instances).toBe(6);
    });

    it("resolves none with each instance given the next one's reference patch", {
      timeout: 90 * 60_000,
    }, async () => {
      const swapped = new Map(
        instances.map((i, n) => {
          const other = instances[(n + 1) % instances.length] as SwebenchInstance;
          return [
            i.instance_id,
            { instance_id: i.instance_id, model_name_or_path: 'swapped', model_patch: other.patch },
          ];
        }),
      );
      const { summary } = await score('swapped', swapped);
      expect(summary.submitted_instances).toBe(6);
      expect(summary.resolved_ids).toEqual([]);
      // A wrong fix either applies (sympy's patches touch different files) and its tests fail, or
      // does not apply to this version at all (19495 with 21612's patch); nothing else goes wrong.
      expect(summary.error_ids).toEqual(summary.patch_failed_ids);
      expect(summary.unresolved_instances + summary.patch_failed_ids.length).toBe(6);
      expect(summary.unresolved_instances).toBeGreaterThanOrEqual(4);
    });
  },
);
