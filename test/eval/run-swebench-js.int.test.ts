/**
 * `eval run` end to end on real swebench-js instances: the CLI command functions, the agent pipeline
 * (`runFix`) in real Docker sandboxes, a scripted model over HTTP replaying each reference fix; then
 * `eval score` says resolved and `eval report` shows it. And resumability: the run process is
 * SIGKILLed mid-run, then interrupted with Ctrl-C, then rerun, and no finished instance runs twice.
 * Two or three instances only: CI time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { loadInstances } from '../../src/eval/instances.ts';
import { parsePredictions } from '../../src/eval/predictions.ts';
import { readRunResults } from '../../src/eval/run-store.ts';
import type { ScriptedServer } from '../../src/model/scripted-server.ts';
import { runCliJson } from '../cli/run-cli.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';
import {
  CA_BUNDLE,
  EVAL_CACHE,
  missingSwebenchJs,
  type SwebenchData,
  swebenchJsData,
} from '../support/swebench.ts';
import { startReplayServer } from './replay-server.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'conjecture.js');
const TWO = ['iamkun__dayjs-2231', 'iamkun__dayjs-1725'];
const THREE = [...TWO, 'iamkun__dayjs-1319'];

/** The agent's configuration for a replay: tool calls (a diff travels as JSON), no setup, no validation. */
function cliEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE,
    CONJECTURE_AGENT_ACTION_FORMAT: 'tool_call',
    CONJECTURE_VALIDATE_ENABLED: 'false',
    CONJECTURE_VALIDATE_SETUP_COMMAND: 'true',
  };
}

const cli = runCliJson;

let data: SwebenchData;

function runArgs(ids: string[], out: string, server: ScriptedServer): string[] {
  return [
    'eval',
    'run',
    '--instances',
    data.dataset,
    ...ids.flatMap((id) => ['--filter', id]),
    '--out',
    out,
    '--base-url',
    server.url,
    '--mirror-dir',
    data.mirrorDir,
    '--cache-dir',
    EVAL_CACHE,
    '--workers',
    '1',
  ];
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describeIf(missingDocker() ?? missingSwebenchJs(), 'eval run on swebench-js with a scripted model', () => {
  beforeAll(async () => {
    data = await swebenchJsData();
  });

  it('runs the agent, writes preds.json that score resolves, and a report', {
    timeout: 10 * 60_000,
  }, async () => {
    const instances = (await loadInstances(data.dataset)).filter((i) => TWO.includes(i.instance_id));
    const { server, starts } = await startReplayServer({ instances });
    cleanup.push(() => server.close());
    const work = await mkdtemp(join(tmpdir(), 'eval-run-e2e-'));
    const env = cliEnv(work);
    const out = join(work, 'run');

    const run = await cli(runArgs(TWO, out, server), env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.data).toMatchObject({ recorded: 2, remaining: [], interrupted: false });
    const lines = await readRunResults(join(out, 'results.jsonl'));
    expect(lines.map((l) => [l.instance_id, l.exit_status]).sort()).toEqual(
      TWO.map((id) => [id, 'submitted']).sort(),
    );
    expect(lines.every((l) => l.steps === 2 && l.patch_bytes > 0 && l.prompt_tokens > 0)).toBe(true);
    expect([...starts.values()]).toEqual([1, 1]);
    for (const id of TWO) expect(existsSync(join(out, 'traces', `${id}.jsonl`)), id).toBe(true);
    const preds = parsePredictions(readFileSync(join(out, 'preds.json'), 'utf8'), 'preds.json');
    expect(preds.get(TWO[0] as string)?.model_name_or_path).toBe('conjecture/granite4:tiny-h');

    const scoreArgs = [
      'eval',
      'score',
      '--instances',
      data.dataset,
      ...TWO.flatMap((id) => ['--filter', id]),
      '--preds',
      join(out, 'preds.json'),
      '--out',
      join(out, 'score'),
      '--mirror-dir',
      data.mirrorDir,
      '--cache-dir',
      EVAL_CACHE,
      '--workers',
      '2',
      ...(CA_BUNDLE ? ['--ca-file', CA_BUNDLE] : []),
    ];
    const score = await cli(scoreArgs, env);
    expect(score.code, score.stderr).toBe(0);
    expect(score.data).toMatchObject({ resolved_instances: 2, error_instances: 0 });
    // Scoring again into the same --out resumes: nothing is evaluated twice, no line is duplicated.
    const again = await cli(scoreArgs, env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.data).toMatchObject({ resolved_instances: 2, scored_now: 0, reused: 2 });
    expect(
      readFileSync(join(out, 'score', 'results.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(2);

    const report = await cli(['eval', 'report', out, '--out', join(work, 'report.md')], env);
    expect(report.code, report.stderr).toBe(0);
    const md = readFileSync(join(work, 'report.md'), 'utf8');
    expect(md).toContain('| resolved | 2 (100.0%, 95% CI 34.2%–100.0%) |');
    expect(md).toContain(`| ${TWO[1]} | ✓ resolved |`);
  });

  it('resumes after SIGKILL and after Ctrl-C, never running a finished instance again', {
    timeout: 10 * 60_000,
  }, async () => {
    const instances = (await loadInstances(data.dataset)).filter((i) => THREE.includes(i.instance_id));
    const last = THREE[2] as string;
    let hold = false;
    let held: () => void = () => {};
    const { server, starts } = await startReplayServer({
      instances,
      // While `hold` is set, the last instance's agent waits on the model (to be interrupted).
      onStart: (id) => {
        if (!hold || id !== last) return undefined;
        held();
        return 120_000;
      },
    });
    cleanup.push(() => server.close());
    const work = await mkdtemp(join(tmpdir(), 'eval-run-resume-'));
    const env = cliEnv(work);
    const out = join(work, 'run');
    const results = join(out, 'results.jsonl');
    const spawnRun = () => {
      let stdout = '';
      const child: ChildProcess = spawn(process.execPath, [BIN, ...runArgs(THREE, out, server)], {
        env,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      child.stdout?.on('data', (c: Buffer) => {
        stdout += c.toString();
      });
      cleanup.push(async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      const exited = new Promise<{ code: number | null; signal: string | null; stdout: string }>((r) =>
        child.once('exit', (code, signal) => r({ code, signal, stdout })),
      );
      return { child, exited };
    };

    // 1. SIGKILL as soon as the first instance is recorded, while the second runs.
    const first = spawnRun();
    const deadline = Date.now() + 5 * 60_000;
    while (!(existsSync(results) && readFileSync(results, 'utf8').trim()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const afterKill = (await readRunResults(results)).map((l) => l.instance_id);
    expect(afterKill.length).toBeGreaterThanOrEqual(1);
    expect(afterKill).not.toContain(last);

    // 2. Ctrl-C while the last instance's agent runs: exit 130, a clear message, nothing half-written.
    hold = true;
    const heldNow = new Promise<void>((r) => {
      held = r;
    });
    const second = spawnRun();
    await heldNow;
    second.child.kill('SIGINT');
    const interrupted = await second.exited;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stdout).toContain('interrupted:');
    expect(interrupted.stdout).toContain('rerun the same command to resume');
    const afterInt = (await readRunResults(results)).map((l) => l.instance_id);
    expect(afterInt).not.toContain(last);
    expect(afterInt.length).toBe(2);

    // 3. The rerun finishes only the last instance.
    hold = false;
    const rerun = await cli(runArgs(THREE, out, server), env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.data).toMatchObject({ skipped: 2, recorded: 1 });
    const done = (await readRunResults(results)).map((l) => l.instance_id).sort();
    expect(done).toEqual([...THREE].sort());
    // Recorded before the kill: its agent started once. (The killed one may have started twice.)
    for (const id of afterKill) expect(starts.get(id), id).toBe(1);
    expect(starts.get(last)).toBe(2);
    const preds = parsePredictions(readFileSync(join(out, 'preds.json'), 'utf8'), 'preds.json');
    expect([...preds.keys()].sort()).toEqual([...THREE].sort());
  });
});
