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
  type ScoreOptions,
  type SwebenchInstance,
  scoreInstances,
} from '../../src/eval/index.ts';
import { createSandboxProvider } from '../../src/sandbox/index.ts';
import { describeIf, missingDocker } from '../support/prereq.ts';
import {
  CA_BUNDLE,
  EVAL_CACHE,
  missingSwebenchJs,
  type SwebenchData,
  swebenchJsData,
} from '../support/swebench.ts';

describeIf(missingDocker() ?? missingSwebenchJs(), 'eval score on swebench-js (16 real instances)', () => {
  let instances: SwebenchInstance[] = [];
  let data: SwebenchData;
  beforeAll(async () => {
    data = await swebenchJsData();
  });
  const { config } = loadConfig({ env: {} });
  const run = async (
    name: string,
    predictions: Map<string, Prediction>,
    extra: Partial<ScoreOptions> = {},
  ) => {
    const outDir = extra.outDir ?? (await mkdtemp(join(tmpdir(), `conjecture-eval-${name}-`)));
    const started = Date.now();
    const summary = await scoreInstances({
      instances,
      predictions,
      cacheDir: EVAL_CACHE,
      mirrorDir: data.mirrorDir,
      workers: 2,
      config,
      logger: silentLogger(),
      provider: createSandboxProvider(config, silentLogger()),
      caFile: CA_BUNDLE,
      ...extra,
      outDir,
    });
    // The wall time is part of what this test reports (see docs/evaluation.md).
    process.stderr.write(
      `[eval ${name}] ${summary.resolved_instances}/${summary.total_instances} resolved in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
    return { summary, outDir };
  };

  it('loads the dev split', async () => {
    instances = await loadInstances(data.dataset);
    expect(instances).toHaveLength(16);
  });

  it('resolves all 16 instances with their reference patches', { timeout: 60 * 60_000 }, async () => {
    const { summary, outDir } = await run('gold', goldPredictions(instances));
    expect(summary.error_ids).toEqual([]);
    expect(summary.unresolved_ids).toEqual([]);
    expect(summary.resolved_instances).toBe(16);
    const id = 'expressjs__express-3495';
    const report = JSON.parse(await readFile(join(outDir, id, 'report.json'), 'utf8'));
    expect(report[id]).toMatchObject({
      patch_exists: true,
      patch_successfully_applied: true,
      resolved: true,
    });
    expect(report[id].tests_status.PASS_TO_PASS.success.length).toBeGreaterThan(800);

    // Scoring the same predictions into the same directory again resumes: nothing runs, no line doubles.
    let plan: unknown;
    const again = await run('gold-again', goldPredictions(instances), {
      outDir,
      onPlanned: (p) => {
        plan = p;
      },
    });
    expect(plan).toEqual({ evaluate: 0, reused: 16 });
    expect(again.summary.resolved_instances).toBe(16);
    expect((await readFile(join(outDir, 'results.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(16);
  });

  it('resolves none with empty patches, recording each as empty_patch', {
    timeout: 10 * 60_000,
  }, async () => {
    const empty = new Map(
      instances.map((i) => [
        i.instance_id,
        { instance_id: i.instance_id, model_name_or_path: 'empty', model_patch: '' },
      ]),
    );
    const { summary } = await run('empty', empty);
    expect(summary.resolved_instances).toBe(0);
    expect(summary.empty_patch_instances).toBe(16);
  });

  it("does not count another instance's fix", { timeout: 20 * 60_000 }, async () => {
    const byId = new Map(instances.map((i) => [i.instance_id, i]));
    const pick = ['iamkun__dayjs-1201', 'iamkun__dayjs-2420', 'expressjs__express-5555'];
    const wrongPatch = (target: string, from: string): [string, Prediction] => [
      target,
      { instance_id: target, model_name_or_path: 'wrong', model_patch: byId.get(from)?.patch ?? '' },
    ];
    const wrong = new Map<string, Prediction>([
      // Applies cleanly (another plugin of the same repository) but fixes the wrong bug.
      wrongPatch('iamkun__dayjs-1201', 'iamkun__dayjs-1319'),
      // Applies only with fuzz, if at all; either way it is not this instance's fix.
      wrongPatch('iamkun__dayjs-2420', 'iamkun__dayjs-2377'),
      // A patch for another repository does not apply at all.
      wrongPatch('expressjs__express-5555', 'iamkun__dayjs-658'),
    ]);
    const { summary } = await run('wrong', wrong, {
      instances: instances.filter((i) => pick.includes(i.instance_id)),
    });
    expect(summary.resolved_ids).toEqual([]);
    expect(summary.unresolved_ids).toContain('iamkun__dayjs-1201');
    expect(summary.patch_failed_ids).toContain('expressjs__express-5555');
    expect(summary.submitted_instances).toBe(3);
  });
});
