import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { type EvalRunSettings, runEvaluation } from '../../src/eval/index.ts';
import { parsePredictions } from '../../src/eval/predictions.ts';
import { openRunStore, readRunResults, tracePath } from '../../src/eval/run-store.ts';
import { fakeInstances, fakeOutcome, fakeRunner } from './run-support.ts';

const logger = silentLogger();

async function setup(n = 3) {
  const dir = await mkdtemp(join(tmpdir(), 'eval-run-'));
  const instances = fakeInstances(n);
  const open = (redo = false) => openRunStore(dir, { model_name_or_path: 'fake-model', newRun: redo });
  const settings = (runId: string): EvalRunSettings => ({ runId, label: 'fake-model', modelName: 'm' });
  return { dir, instances, open, settings };
}

describe('runEvaluation (local workers)', () => {
  it('records every instance, an instance that throws as error, and the run goes on', async () => {
    const { dir, instances, open, settings } = await setup(3);
    const store = await open();
    const fake = fakeRunner({ crash: ['owner__repo-2'] });
    const report = await runEvaluation({
      instances,
      store,
      runner: fake.runner,
      workers: 2,
      settings: settings(store.meta.run_id),
      logger,
    });
    expect(report).toMatchObject({ total: 3, skipped: 0, recorded: 3, remaining: [], interrupted: false });
    const lines = await readRunResults(join(dir, 'results.jsonl'));
    const byId = new Map(lines.map((l) => [l.instance_id, l]));
    expect(byId.get('owner__repo-2')).toMatchObject({ exit_status: 'error', outcome: 'crashed' });
    expect(byId.get('owner__repo-2')?.error).toContain('docker went away');
    expect(byId.get('owner__repo-1')).toMatchObject({ exit_status: 'submitted', format_errors: 1 });
    const preds = parsePredictions(await readFile(join(dir, 'preds.json'), 'utf8'), 'preds.json');
    expect([...preds.keys()].sort()).toEqual(['owner__repo-1', 'owner__repo-2', 'owner__repo-3']);
    expect(preds.get('owner__repo-1')?.model_patch).toBe(fakeOutcome('owner__repo-1').patch);
    expect(preds.get('owner__repo-1')?.model_name_or_path).toBe('fake-model');
    expect(await readFile(tracePath(dir, 'owner__repo-3'), 'utf8')).toContain('"taskId":"owner__repo-3"');
  });

  it('skips finished instances on a rerun, and runs them again with redo under a new run id', async () => {
    const { instances, open, settings } = await setup(2);
    const first = await open();
    await runEvaluation({
      instances,
      store: first,
      runner: fakeRunner().runner,
      workers: 1,
      settings: settings(first.meta.run_id),
      logger,
    });
    const again = fakeRunner();
    const resumed = await open();
    expect(resumed.meta.run_id).toBe(first.meta.run_id);
    const report = await runEvaluation({
      instances,
      store: resumed,
      runner: again.runner,
      workers: 1,
      settings: settings(resumed.meta.run_id),
      logger,
    });
    expect(again.calls).toEqual([]);
    expect(report).toMatchObject({ skipped: 2, recorded: 0 });

    const redo = await open(true);
    expect(redo.meta.run_id).not.toBe(first.meta.run_id);
    const rerun = fakeRunner();
    await runEvaluation({
      instances,
      store: redo,
      runner: rerun.runner,
      workers: 1,
      settings: settings(redo.meta.run_id),
      redo: true,
      logger,
    });
    expect(rerun.calls).toEqual(['owner__repo-1', 'owner__repo-2']);
    expect(redo.results()).toHaveLength(2);
  });

  it('on abort starts nothing new, leaves the aborted instance unrecorded, and resumes from there', async () => {
    const { dir, instances, open, settings } = await setup(3);
    const store = await open();
    const controller = new AbortController();
    const fake = fakeRunner({
      hang: ['owner__repo-2'],
      onStart: (id) => {
        if (id === 'owner__repo-2') setTimeout(() => controller.abort(), 20);
      },
    });
    const report = await runEvaluation({
      instances,
      store,
      runner: fake.runner,
      workers: 1,
      settings: settings(store.meta.run_id),
      logger,
      signal: controller.signal,
    });
    expect(report.interrupted).toBe(true);
    expect(report.remaining).toEqual(['owner__repo-2', 'owner__repo-3']);
    expect(fake.calls).toEqual(['owner__repo-1', 'owner__repo-2']);
    expect((await readRunResults(join(dir, 'results.jsonl'))).map((l) => l.instance_id)).toEqual([
      'owner__repo-1',
    ]);

    const next = fakeRunner();
    const reopened = await open();
    await runEvaluation({
      instances,
      store: reopened,
      runner: next.runner,
      workers: 1,
      settings: settings(reopened.meta.run_id),
      logger,
    });
    expect(next.calls).toEqual(['owner__repo-2', 'owner__repo-3']);
  });

  it('drops a prediction that has no result line (a kill between the two writes)', async () => {
    const { dir, open } = await setup(1);
    const store = await open();
    await store.record(fakeOutcome('owner__repo-1'));
    const torn = [
      { instance_id: 'owner__repo-1', model_name_or_path: 'fake-model', model_patch: 'x' },
      { instance_id: 'owner__repo-9', model_name_or_path: 'fake-model', model_patch: 'half-written' },
    ];
    await writeFile(join(dir, 'preds.json'), JSON.stringify(torn));
    const reopened = await open();
    expect([...reopened.done()]).toEqual(['owner__repo-1']);
    await reopened.record(fakeOutcome('owner__repo-2'));
    const preds = parsePredictions(await readFile(join(dir, 'preds.json'), 'utf8'), 'preds.json');
    expect([...preds.keys()].sort()).toEqual(['owner__repo-1', 'owner__repo-2']);
  });
});
