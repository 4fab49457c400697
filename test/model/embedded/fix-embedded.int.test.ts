/**
 * The whole `conjecture fix` step loop with no model server: the real CLI loads the tiny GGUF
 * in-process (provider `embedded`), the grammar makes every reply a bash tool call, and the commands
 * run in the real Docker sandbox. Random weights write random commands, so this asserts that steps
 * ran in the sandbox and the attempt ended with a recorded exit status, not that anything was fixed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CALC_ISSUE, makeCalcRepo } from '../../support/calc-repo.ts';
import { tinyModelFile } from '../../support/gguf-model.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../../support/prereq.ts';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'conjecture.js');
const STATUSES = ['submitted', 'limits_exceeded', 'format_error', 'timeout', 'error'];

describeIf(missingDocker(), 'conjecture fix with the embedded model', () => {
  it('runs agent steps in the sandbox with a model loaded in-process', async () => {
    const model = tinyModelFile();
    const out = mkdtempSync(join(tmpdir(), 'fix-embedded-out-'));
    const home = mkdtempSync(join(tmpdir(), 'fix-embedded-home-'));
    const set = (s: string) => ['--set', s];
    const args = [
      BIN,
      'fix',
      '--repo',
      makeCalcRepo(),
      '--issue',
      CALC_ISSUE,
      '--out',
      out,
      '--json',
      ...set('model.provider=embedded'),
      ...set(`model.embedded.model=${model.path}`),
      ...set('model.embedded.threads=1'),
      ...set('model.embedded.contextSize=4096'),
      ...set('model.maxTokens=600'),
      ...set('model.temperature=1'),
      ...set('model.seed=11'),
      ...set('agent.actionFormat=tool_call'),
      ...set('agent.stepLimit=3'),
      ...set('agent.commandTimeoutMs=10000'),
      ...set('validate.enabled=false'),
    ];
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH, HOME: home, CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(stderr).not.toMatch(/\n\s+at /);
    expect([0, 1], stderr).toContain(code);
    expect(existsSync(join(out, 'summary.json')), stderr).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const attempt = summary.attempts[0];
    expect(STATUSES).toContain(attempt.exitStatus);
    const trace = readFileSync(join(out, 'trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            type: string;
            exitCode?: number;
            command?: string;
            usage?: { completionTokens: number };
          },
      );
    const steps = trace.filter((e) => e.type === 'step');
    // Commands the grammar produced really ran in the container: each has an exit code.
    expect(steps.length).toBeGreaterThanOrEqual(1);
    expect(steps.length).toBeLessThanOrEqual(3);
    for (const s of steps) {
      expect(typeof s.exitCode).toBe('number');
      expect(s.command?.length).toBeGreaterThan(0);
      expect(s.usage?.completionTokens).toBeGreaterThan(0);
    }
    expect(trace.find((e) => e.type === 'end')).toMatchObject({ exitStatus: attempt.exitStatus });
  });
});
