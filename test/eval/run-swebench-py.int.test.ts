/**
 * `eval run` on the 6 sympy instances of ../shared/swebench-py: the agent pipeline in the local
 * SWE-bench-layout image (checkout at /testbed), a scripted model replaying each reference fix
 * through bash; then `eval score --image-template` of the run's preds.json resolves all 6 the
 * official way.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { loadInstances } from '../../src/eval/instances.ts';
import { parsePredictions } from '../../src/eval/predictions.ts';
import { readRunResults } from '../../src/eval/run-store.ts';
import { runCliJson } from '../cli/run-cli.ts';
import { describeIf, missingDocker } from '../support/prereq.ts';
import { EVAL_CACHE, missingSwebenchPy, type SwebenchData, swebenchPyData } from '../support/swebench.ts';
import { ensureSwebenchPyImage, missingSwebenchPyImage } from '../support/swebench-py-image.ts';
import { checkSubmissionFolder } from '../support/swebench-submission.ts';
import { startReplayServer } from './replay-server.ts';

const cli = runCliJson;

let data: SwebenchData;
let image = '';
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describeIf(
  missingDocker() ?? missingSwebenchPy() ?? missingSwebenchPyImage(),
  'eval run on swebench-py with a scripted model',
  () => {
    beforeAll(async () => {
      data = await swebenchPyData();
      image = await ensureSwebenchPyImage();
    }, 35 * 60_000);

    it('replays each reference fix through bash at /testbed, and the score resolves all 6', {
      timeout: 90 * 60_000,
    }, async () => {
      const instances = await loadInstances(data.dataset);
      const { server, starts } = await startReplayServer({ instances });
      cleanup.push(() => server.close());
      const work = await mkdtemp(join(tmpdir(), 'eval-run-py-'));
      const env = {
        PATH: process.env.PATH,
        HOME: work,
        CONJECTURE_SANDBOX_IMAGE: image,
        CONJECTURE_AGENT_ACTION_FORMAT: 'tool_call',
      };
      const out = join(work, 'run');
      const common = ['--instances', data.dataset, '--mirror-dir', data.mirrorDir, '--cache-dir', EVAL_CACHE];
      const run = await cli(
        ['eval', 'run', ...common, '--out', out, '--base-url', server.url, '--workers', '2'],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.data).toMatchObject({ recorded: 6, remaining: [], interrupted: false });
      const lines = await readRunResults(join(out, 'results.jsonl'));
      expect(lines.map((l) => l.exit_status)).toEqual(Array(6).fill('submitted'));
      expect([...starts.values()]).toEqual(Array(6).fill(1));
      const preds = parsePredictions(readFileSync(join(out, 'preds.json'), 'utf8'), 'preds.json');
      for (const instance of instances) {
        const patch = preds.get(instance.instance_id)?.model_patch ?? '';
        // The fix and nothing the run left behind: no bytecode, caches or environments.
        expect(patch.match(/^diff --git .*$/gm)).toEqual(instance.patch.match(/^diff --git .*$/gm));
        expect(patch).not.toMatch(/__pycache__|\.pyc|\.conjecture|\.pytest_cache/);
      }

      const score = await cli(
        [
          'eval',
          'score',
          ...common,
          '--preds',
          join(out, 'preds.json'),
          '--out',
          join(out, 'score'),
          '--workers',
          '2',
          // sympy's bin/test -C on test_simplify.py (17139) runs for minutes on a busy machine.
          '--timeout-ms',
          String(30 * 60_000),
          // The image through the template, as for the official images (the default image has no
          // testbed env: were the template ignored, nothing would resolve).
          '--image-template',
          image,
        ],
        { ...env, CONJECTURE_SANDBOX_IMAGE: undefined },
      );
      expect(score.code, score.stderr).toBe(0);
      expect(score.data).toMatchObject({ resolved_instances: 6, error_instances: 0 });

      // The run as a leaderboard submission folder that passes the submission guide's format checks.
      const exported = await cli(
        ['eval', 'export', out, '--score', join(out, 'score'), '--out', join(work, 'submission')],
        env,
      );
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.data).toMatchObject({
        instances: 6,
        trajectories: 6,
        logs: 6,
        missingLogs: [],
        resolved: 6,
      });
      const checked = checkSubmissionFolder(String(exported.data?.dir), { withLogs: true });
      expect(checked.predictions.map((p) => p.instance_id).sort()).toEqual(
        instances.map((i) => i.instance_id).sort(),
      );
      expect(checked.inspector.every((line) => / submitted mini-swe-agent-1\.1$/.test(line))).toBe(true);
      for (const instance of instances) {
        const traj = checked.trajectories.get(instance.instance_id);
        expect(traj?.info.submission).toBe(preds.get(instance.instance_id)?.model_patch);
        expect(traj?.messages.some((m) => (m.extra?.actions as unknown[] | undefined)?.length)).toBe(true);
      }
      expect(checked.metadata.tags.model).toEqual([expect.any(String)]);
    });
  },
);
