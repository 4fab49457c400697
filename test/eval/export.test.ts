/**
 * `eval export`: a run directory (written through the run store, with a trace written by the trace
 * writer) and an evaluator output become a SWE-bench submission folder whose trajectories load as
 * mini-swe-agent loads them (Python's json, a dict with `messages`; its `DefaultAgent.serialize()`
 * shape) and whose predictions, logs and metadata follow the leaderboard's submission guide.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.ts';
import type { TraceEvent } from '../../src/core/trace.ts';
import { collectRunStamp, exportSubmission, openRunStore, type RunResultLine } from '../../src/eval/index.ts';
import { createTraceWriter } from '../../src/trace/writer.ts';
import { checkSubmissionFolder } from '../support/swebench-submission.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const AT = '2026-12-07T04:00:00.000Z';
const USAGE = { promptTokens: 100, completionTokens: 20, totalTokens: 120, estimated: false };

function events(patchBytes: number): TraceEvent[] {
  const step = (n: number, command: string | null, observation: string): TraceEvent => ({
    type: 'step',
    at: AT,
    step: n,
    thought: `step ${n}: look around`,
    command,
    observation,
    exitCode: command === null ? null : 0,
    timedOut: false,
    modelMs: 5,
    execMs: 7,
    usage: USAGE,
  });
  return [
    { type: 'start', at: AT, taskId: 't', model: 'granite4:tiny-h', attempt: 1 },
    { type: 'message', at: AT, role: 'system', content: 'You are a bash agent.' },
    { type: 'message', at: AT, role: 'user', content: 'Fix the bug in add().' },
    { type: 'validation', at: AT, phase: 'baseline', summary: '1 failed', passed: false },
    step(1, 'grep -n add src/math.js', 'src/math.js:1:export const add = (a, b) => a - b;'),
    {
      type: 'format_error',
      at: AT,
      step: 2,
      reply: 'I will fix it now.',
      feedback: 'Reply with one bash block.',
    },
    step(3, "sed -i 's/a - b/a + b/' src/math.js", ''),
    { type: 'validation', at: AT, phase: 'after', summary: '1 passed', passed: true },
    { type: 'end', at: AT, exitStatus: 'submitted', patchBytes },
  ];
}

const PATCH =
  'diff --git a/src/math.js b/src/math.js\n--- a/src/math.js\n+++ b/src/math.js\n@@ -1 +1 @@\n-export const add = (a, b) => a - b;\n+export const add = (a, b) => a + b;\n';

function line(id: string): RunResultLine {
  return {
    instance_id: id,
    model_name_or_path: 'conjecture/granite4:tiny-h',
    exit_status: 'submitted',
    outcome: 'validated',
    steps: 3,
    model_calls: 3,
    prompt_tokens: 300,
    completion_tokens: 60,
    cost_usd: 0,
    duration_ms: 1234,
    format_errors: 1,
    patch_bytes: PATCH.length,
    patch_lines: 2,
    finished_at: AT,
  };
}

async function makeRun(dir: string, ids: string[]) {
  const { config } = loadConfig({ env: {}, cwd: dir, flags: { 'agent.attempts': 2, 'model.seed': 7 } });
  const stamp = await collectRunStamp({
    config,
    modelName: 'granite4:tiny-h',
    version: '0.1.0',
    prompts: { system: 'You are a bash agent.', instance: '{{task}}' },
    sourceRoot: ROOT,
    imageDigest: 'sha256:abc',
  });
  const store = await openRunStore(dir, { model_name_or_path: 'conjecture/granite4:tiny-h', stamp });
  for (const id of ids) {
    const scratch = join(dir, '..', `${id}.trace.jsonl`);
    const writer = createTraceWriter(scratch);
    for (const e of events(PATCH.length)) writer.write(e);
    await store.record({ line: line(id), patch: PATCH, trace: readFileSync(scratch, 'utf8') });
  }
  return stamp;
}

function makeScore(dir: string, ids: string[], resolved: string[]) {
  for (const id of ids) {
    mkdirSync(join(dir, id), { recursive: true });
    writeFileSync(join(dir, id, 'patch.diff'), PATCH);
    writeFileSync(
      join(dir, id, 'report.json'),
      JSON.stringify({ [id]: { resolved: resolved.includes(id) } }),
    );
    writeFileSync(join(dir, id, 'test_output.txt'), 'ok 1 - add\n');
    writeFileSync(join(dir, id, 'eval.log'), 'applied patch\n');
  }
  writeFileSync(
    join(dir, 'summary.json'),
    JSON.stringify({
      total_instances: ids.length,
      resolved_instances: resolved.length,
      empty_patch_instances: 0,
      error_instances: 0,
    }),
  );
}

describe('eval export', () => {
  const ids = ['iamkun__dayjs-1019', 'iamkun__dayjs-1023'];

  it('lays out a leaderboard submission folder with mini-swe-agent trajectories', async () => {
    const base = mkdtempSync(join(tmpdir(), 'conjecture-export-'));
    const runDir = join(base, 'run');
    const scoreDir = join(base, 'score');
    const stamp = await makeRun(runDir, ids);
    makeScore(scoreDir, ids, [ids[0] ?? '']);

    const result = await exportSubmission({
      runDir,
      scoreDir,
      outDir: join(base, 'out'),
      split: 'verified',
      name: 'Conjecture + Granite 4.0 H Tiny',
      version: '0.1.0',
      now: new Date(AT),
    });

    expect(result.dir).toBe(
      join(base, 'out', 'evaluation', 'verified', '20261207_conjecture-granite-4.0-h-tiny'),
    );
    expect(result).toMatchObject({ instances: 2, trajectories: 2, logs: 2, missingLogs: [], resolved: 1 });

    const checked = checkSubmissionFolder(result.dir, { withLogs: true });
    expect(checked.predictions).toEqual(
      ids.map((id) => ({
        instance_id: id,
        model_name_or_path: 'conjecture/granite4:tiny-h',
        model_patch: PATCH,
      })),
    );
    for (const id of ids) {
      expect(readdirSync(join(result.dir, 'logs', id)).sort()).toEqual([
        'patch.diff',
        'report.json',
        'run_instance.log',
        'test_output.txt',
      ]);
      const traj = checked.trajectories.get(id);
      expect(traj?.info).toMatchObject({
        exit_status: 'submitted',
        submission: PATCH,
        model_stats: { api_calls: 3 },
      });
      const roles = traj?.messages.map((m) => m.role) ?? [];
      expect(roles.slice(0, 2)).toEqual(['system', 'user']);
      const commands = (traj?.messages ?? []).flatMap(
        (m) => (m.extra?.actions as { command: string }[] | undefined) ?? [],
      );
      expect(commands.map((c) => c.command)).toEqual([
        'grep -n add src/math.js',
        "sed -i 's/a - b/a + b/' src/math.js",
      ]);
      const observation = traj?.messages.find((m) => m.content.startsWith('<returncode>0</returncode>'));
      expect(observation?.content).toContain('a - b');
      expect(traj?.info.config.model).toMatchObject({ name: 'granite4:tiny-h', seed: 7 });
    }

    const meta = parse(readFileSync(join(result.dir, 'metadata.yaml'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    expect(meta.info).toMatchObject({ name: 'Conjecture + Granite 4.0 H Tiny' });
    expect(meta.tags).toMatchObject({
      checked: false,
      model: ['granite4:tiny-h'],
      os_model: true,
      os_system: true,
      system: { attempts: '2+' },
    });
    expect(meta.conjecture?.stamp).toEqual(JSON.parse(JSON.stringify(stamp)));
    expect(stamp.prompt_templates_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stamp.sandbox_image.digest).toBe('sha256:abc');

    const readme = readFileSync(join(result.dir, 'README.md'), 'utf8');
    expect(readme).toContain('1 of 2 resolved (50.0%)');
    expect(readme).toContain(stamp.prompt_templates_sha256);
  });

  it("trajectories load in Python the way mini-swe-agent's inspector loads them", async () => {
    const base = mkdtempSync(join(tmpdir(), 'conjecture-export-'));
    await makeRun(join(base, 'run'), ids);
    const { dir } = await exportSubmission({
      runDir: join(base, 'run'),
      outDir: join(base, 'out'),
      split: 'lite',
      version: '0.1.0',
    });
    const { inspector } = checkSubmissionFolder(dir, { withLogs: false });
    expect(inspector).toEqual(ids.map((id) => `${id}.traj.json 4 submitted mini-swe-agent-1.1`));
    expect(existsSync(join(dir, 'logs'))).toBe(true);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('Not scored');
  });

  it('refuses a directory that is not a run, and an unscored score directory, with a hint', async () => {
    const base = mkdtempSync(join(tmpdir(), 'conjecture-export-'));
    await expect(
      exportSubmission({ runDir: base, outDir: join(base, 'o'), split: 'verified', version: '0' }),
    ).rejects.toMatchObject({
      code: 'export_not_a_run',
    });
    await makeRun(join(base, 'run'), ids);
    mkdirSync(join(base, 'empty-score'));
    await expect(
      exportSubmission({
        runDir: join(base, 'run'),
        scoreDir: join(base, 'empty-score'),
        outDir: join(base, 'o'),
        split: 'verified',
        version: '0',
      }),
    ).rejects.toMatchObject({ code: 'export_not_scored' });
  });
});
