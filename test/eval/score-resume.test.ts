/**
 * `eval score` behaves like `eval run` (issue 13): scoring into the same `--out` again resumes and
 * never duplicates a results line (`--redo` starts over); Ctrl-C keeps results and summary for the
 * finished instances and exits 130; an instance that cannot be cloned and a selection that matches
 * nothing exit non-zero with a clear message. Real git, the local sandbox (no Docker), and the real
 * CLI (in-process, and as a child process for a real SIGINT).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/log.ts';
import { type Prediction, readResults, type ScoreOptions, scoreInstances } from '../../src/eval/index.ts';
import { createLocalSandboxProvider } from '../../src/sandbox/index.ts';
import { scoreFixture } from './score-fixture.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'conjecture.js');
const pred = (id: string, model_patch: string | null, model = 'm'): [string, Prediction] => [
  id,
  { instance_id: id, model_name_or_path: model, model_patch },
];
/** What every scoring here shares: the local sandbox (no Docker), a cache beside the out dir, quiet. */
const local = (out: string, mirrors: string) => ({
  outDir: out,
  cacheDir: `${out}-cache`,
  mirrorDir: mirrors,
  config: loadConfig({ env: {} }).config,
  logger: silentLogger(),
  provider: createLocalSandboxProvider({ allowLocal: true }),
  isRoot: false,
});
const lineIds = (out: string) =>
  readFileSync(join(out, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { instance_id: string }).instance_id);

describe('scoreInstances resumes into the same out dir', () => {
  it('reuses finished results, re-evaluates errors and changed predictions, and --redo starts over', {
    timeout: 90_000,
  }, async () => {
    const { mirrors, instances, patch } = await scoreFixture();
    const picked = instances.filter((i) =>
      ['acme__calc-1', 'acme__calc-2', 'acme__calc-5'].includes(i.instance_id),
    );
    const predictions = new Map([
      pred('acme__calc-1', patch),
      pred('acme__calc-2', ''),
      pred('acme__calc-5', patch),
    ]);
    const out = await mkdtemp(join(tmpdir(), 'eval-resume-'));
    const score = async (extra: Partial<ScoreOptions> = {}) => {
      const plans: { evaluate: number; reused: number }[] = [];
      const evaluated: string[] = [];
      const summary = await scoreInstances({
        instances: picked,
        predictions,
        ...local(out, mirrors),
        onPlanned: (p) => plans.push(p),
        onResult: (r) => evaluated.push(r.instance_id),
        ...extra,
      });
      return { summary, plan: plans[0], evaluated: evaluated.sort() };
    };

    const first = await score();
    expect(first.plan).toEqual({ evaluate: 3, reused: 0 });
    expect(first.summary).toMatchObject({ resolved_ids: ['acme__calc-1'], error_ids: ['acme__calc-5'] });

    // Again: the resolved and the empty-patch results stand; the error (no mirror) runs again.
    const second = await score();
    expect(second.plan).toEqual({ evaluate: 1, reused: 2 });
    expect(second.evaluated).toEqual(['acme__calc-5']);
    expect(second.summary).toMatchObject({
      resolved_ids: ['acme__calc-1'],
      empty_patch_ids: ['acme__calc-2'],
      error_ids: ['acme__calc-5'],
      completed_instances: 1,
    });
    expect(lineIds(out).sort()).toEqual(['acme__calc-1', 'acme__calc-2', 'acme__calc-5']);

    // A different prediction for an instance is a different question: scored again.
    predictions.set(...pred('acme__calc-2', patch));
    const third = await score();
    expect(third.evaluated).toEqual(['acme__calc-2', 'acme__calc-5']);
    expect(third.summary.resolved_ids).toEqual(['acme__calc-1', 'acme__calc-2']);
    expect(lineIds(out).sort()).toEqual(['acme__calc-1', 'acme__calc-2', 'acme__calc-5']);

    const redo = await score({ redo: true });
    expect(redo.plan).toEqual({ evaluate: 3, reused: 0 });
    expect(lineIds(out).sort()).toEqual(['acme__calc-1', 'acme__calc-2', 'acme__calc-5']);
    const onDisk = await readResults(join(out, 'results.jsonl'));
    expect(onDisk.every((r) => typeof r.patch_sha256 === 'string')).toBe(true);
  });

  it('stops on abort: no new instance, the running one unrecorded, summary of what finished', {
    timeout: 90_000,
  }, async () => {
    // acme__calc-2's tests take 60 s: the abort lands while they run.
    const { mirrors, instances, patch } = await scoreFixture({
      'acme__calc-2': { test_cmd: 'sleep 60; node --test' },
    });
    const picked = instances.slice(0, 4);
    const predictions = new Map(picked.map((i) => pred(i.instance_id, patch)));
    const out = await mkdtemp(join(tmpdir(), 'eval-abort-'));
    const controller = new AbortController();
    const started = Date.now();
    const summary = await scoreInstances({
      instances: picked,
      predictions,
      ...local(out, mirrors),
      workers: 1,
      signal: controller.signal,
      // The first result is in; abort a moment into the second instance's tests.
      onResult: () => setTimeout(() => controller.abort(), 1_500),
    });
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(summary.completed_ids).toEqual(['acme__calc-1']);
    expect(summary.incomplete_ids).toEqual(['acme__calc-2', 'acme__calc-3', 'acme__calc-4']);
    expect(lineIds(out)).toEqual(['acme__calc-1']);
    const written = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(written.resolved_ids).toEqual(['acme__calc-1']);
  });
});

describe('conjecture eval score (CLI)', () => {
  const env = (home: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: home,
    CONJECTURE_SANDBOX_RUNTIME: 'local',
    CONJECTURE_SANDBOX_ALLOW_LOCAL: 'true',
  });
  async function setup(extra: Record<string, Record<string, unknown>> = {}) {
    const fx = await scoreFixture(extra);
    const work = await mkdtemp(join(tmpdir(), 'eval-score-cli-'));
    await writeFile(join(work, 'instances.jsonl'), fx.jsonl);
    const preds = fx.instances.map((i) => ({
      instance_id: i.instance_id,
      model_name_or_path: 'm',
      model_patch: fx.patch,
    }));
    await writeFile(join(work, 'preds.json'), JSON.stringify(preds));
    const args = (...more: string[]) => [
      'eval',
      'score',
      '--instances',
      join(work, 'instances.jsonl'),
      '--preds',
      join(work, 'preds.json'),
      '--out',
      join(work, 'out'),
      '--mirror-dir',
      fx.mirrors,
      '--cache-dir',
      join(work, 'cache'),
      ...more,
    ];
    return { work, args, out: join(work, 'out') };
  }
  async function cli(argv: string[], home: string) {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: env(home),
      cwd: home,
    });
    return { code, stdout, stderr };
  }

  it('exits 2 when --filter matches nothing, saying so, and writes nothing', async () => {
    const { work, args, out } = await setup();
    const r = await cli(args('--filter', 'acme__calc-99', '--filter', '/nothing/'), work);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no instance matches --filter acme__calc-99 --filter /nothing/');
    expect(r.stderr).toContain('6 instances in');
    expect(existsSync(out)).toBe(false);
  });

  it('eval run says the same for an empty selection (exit 2, nothing created)', async () => {
    const { work } = await setup();
    const argv = ['eval', 'run', '--instances', join(work, 'instances.jsonl'), '--out', join(work, 'run')];
    const r = await cli([...argv, '--slice', '10:'], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no instance matches --slice 10: (6 instances in');
    expect(existsSync(join(work, 'run'))).toBe(false);
  });

  it('exits 1 naming an instance whose repository cannot be cloned; a rerun retries only it', {
    timeout: 90_000,
  }, async () => {
    const { work, args, out } = await setup();
    const r = await cli(args('--filter', 'acme__calc-1,acme__calc-5'), work);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/could not evaluate acme__calc-5: .*acme__missing\.git/);
    expect(r.stdout).toContain('1 instance(s) could not be evaluated');
    const again = await cli(args('--filter', 'acme__calc-1,acme__calc-5', '--json'), work);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ scored_now: 1, reused: 1, resolved_instances: 1 });
    expect(lineIds(out).sort()).toEqual(['acme__calc-1', 'acme__calc-5']);
  });

  it('on Ctrl-C prints what finished, keeps results and summary, exits 130; the rerun resumes', {
    timeout: 120_000,
  }, async () => {
    const { work, args, out } = await setup({ 'acme__calc-3': { test_cmd: 'sleep 60; node --test' } });
    const argv = args('--filter', '/acme__calc-[1-4]/', '--workers', '1');
    const child = spawn(process.execPath, [BIN, ...argv], { env: env(work), cwd: work });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // Two results in (calc-1 and calc-2), calc-3's tests running: Ctrl-C.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const text = existsSync(join(out, 'results.jsonl'))
        ? readFileSync(join(out, 'results.jsonl'), 'utf8')
        : '';
      if (text.trim().split('\n').length >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1_500));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toContain('interrupted: 2 scored now, 0 reused from an earlier score, 2 not finished');
    expect(stdout).toContain('rerun the same command to resume');
    expect(lineIds(out)).toEqual(['acme__calc-1', 'acme__calc-2']);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.resolved_ids).toEqual(['acme__calc-1', 'acme__calc-2']);
    expect(summary.incomplete_ids).toEqual(['acme__calc-3', 'acme__calc-4']);

    // The rerun scores only the two that did not finish (calc-3 without the slow command now).
    await writeFile(
      join(work, 'instances.jsonl'),
      readFileSync(join(work, 'instances.jsonl'), 'utf8').replace('sleep 60; node --test', 'node --test'),
    );
    const rerun = await cli([...argv, '--json'], work);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ scored_now: 2, reused: 2, resolved_instances: 4 });
    expect(lineIds(out).sort()).toEqual(['acme__calc-1', 'acme__calc-2', 'acme__calc-3', 'acme__calc-4']);
  });
});
