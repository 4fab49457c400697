/**
 * End to end: the real CLI (`conjecture fix`) against a scripted OpenAI-compatible server over HTTP,
 * the real Docker sandbox, a real git repository and its real tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import {
  type ScriptedServer,
  type ScriptedTurn,
  startScriptedServer,
} from '../../src/model/scripted-server.ts';
import { BREAK_MUL, CALC_ISSUE, FIX_ADD, FIX_MUL, makeCalcRepo } from '../support/calc-repo.ts';
import { runFixCli } from '../support/fix-cli.ts';
import { describeIf, missingDocker } from '../support/prereq.ts';

const bash = (thought: string, command: string): ScriptedTurn => ({
  content: `${thought}\n\`\`\`bash\n${command}\n\`\`\``,
});
const SUBMIT = bash('The fix is verified.', 'echo CONJECTURE_SUBMIT');

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runFix(turns: ScriptedTurn[], extra: string[] = []) {
  server = await startScriptedServer({ turns });
  const repo = makeCalcRepo();
  const run = await runFixCli({
    repo,
    issue: CALC_ISSUE,
    baseUrl: server.url,
    env: { CONJECTURE_MODEL_STREAM: 'true' },
    args: extra,
  });
  const summary = existsSync(join(run.out, 'summary.json'))
    ? JSON.parse(readFileSync(join(run.out, 'summary.json'), 'utf8'))
    : null;
  return { ...run, repo, summary, result: run.stdout.trim() ? JSON.parse(run.stdout) : null };
}

describeIf(missingDocker(), 'conjecture fix, end to end', () => {
  it('fixes the bug, validates it with the repo tests and leaves patch, trace and summary', async () => {
    const r = await runFix([
      bash('Let me look at the source.', 'cat src/calc.js'),
      bash('Reproduce the bug.', 'node -e "console.log(require(\'./src/calc.js\').add(2, 3))"'),
      bash('add subtracts; fix it.', FIX_ADD),
      bash('Verify.', 'node -e "console.log(require(\'./src/calc.js\').add(2, 3))" && npm test --silent'),
      SUBMIT,
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code, r.stderr).toBe(0);
    expect(r.result.outcome).toBe('validated');
    const patch = readFileSync(join(r.out, 'patch.diff'), 'utf8');
    expect(patch).toContain('-  return a - b;');
    expect(patch).toContain('+  return a + b;');
    expect(r.summary.testCommand).toBe('npm test');
    expect(r.summary.attempts[0]).toMatchObject({ exitStatus: 'submitted', steps: 5, feedbackRounds: 0 });
    const trace = readFileSync(join(r.out, 'trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(trace.filter((e) => e.type === 'step')).toHaveLength(5);
    expect(trace.at(-1)).toMatchObject({ type: 'validation', phase: 'after', passed: true });
    expect(readFileSync(join(r.out, 'trace.md'), 'utf8')).toContain('<details>');
  });

  it('sends a change that breaks a test back to the agent, which then fixes it', async () => {
    const r = await runFix([
      bash('Fix add.', FIX_ADD),
      bash('Also tweak mul.', BREAK_MUL),
      SUBMIT,
      bash('Undo the mul change.', FIX_MUL),
      SUBMIT,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.result.outcome).toBe('validated');
    expect(r.summary.attempts[0].feedbackRounds).toBe(1);
    const feedback = server!.requests[3]!.messages!.at(-1)!.content as string;
    expect(feedback).toContain('tests now fail');
    expect(feedback).toContain('mul');
    expect(readFileSync(join(r.out, 'patch.diff'), 'utf8')).not.toContain('a * b + 1');
  });

  it('recovers from malformed replies: no action, two actions, a reply cut off', async () => {
    const r = await runFix(
      [
        { content: 'I think the bug is in add.' },
        { content: '```bash\ncat src/calc.js\n```\nand\n```bash\nls\n```' },
        { content: '```bash\ncat src/ca', finishReason: 'length' },
        bash('Fix it.', FIX_ADD),
        SUBMIT,
      ],
      ['--set', 'agent.maxFormatErrors=4'],
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.result.outcome).toBe('validated');
    const asked = server!.requests.map((q) => q.messages!.at(-1)!.content as string);
    expect(asked[1]).toMatch(/no command/);
    expect(asked[2]).toMatch(/2 commands/);
    expect(asked[3]).toMatch(/cut off/);
  });

  it('recovers from broken tool-call JSON in the tool-call format', async () => {
    const r = await runFix(
      [
        { toolCalls: [{ name: 'bash', arguments: '{"command": "cat src/calc.js' }] },
        { toolCalls: [{ name: 'bash', arguments: { command: FIX_ADD } }] },
        { toolCalls: [{ name: 'bash', arguments: { command: 'echo CONJECTURE_SUBMIT' } }] },
      ],
      ['--set', 'agent.actionFormat=tool_call'],
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.result.outcome).toBe('validated');
    expect(
      server!.requests[1]!.messages!.some(
        (m) => m.role === 'tool' && String(m.content).includes('not valid JSON'),
      ),
    ).toBe(true);
  });

  it('stops at the step limit with the right status and a non-zero exit', async () => {
    const r = await runFix(
      [bash('Look.', 'ls'), bash('Look more.', 'ls src'), bash('And more.', 'ls test')],
      ['--set', 'agent.stepLimit=2'],
    );
    expect(r.code).toBe(1);
    expect(r.result.outcome).toBe('no_patch');
    expect(r.summary.attempts[0]).toMatchObject({ exitStatus: 'limits_exceeded', steps: 2 });
  });

  it('stops after repeated format errors', async () => {
    const r = await runFix([{ content: 'hmm' }, { content: 'hmm' }, { content: 'hmm' }]);
    expect(r.code).toBe(1);
    expect(r.summary.attempts[0].exitStatus).toBe('format_error');
  });

  for (const parallel of [false, true]) {
    it(`runs independent attempts ${parallel ? 'in parallel' : 'one after another'} and picks the smallest validated patch`, async () => {
      // Each request is answered from its own conversation, so interleaved attempts get consistent turns.
      const byAttempt = (request: { seed?: unknown; messages?: { role: string }[] }): ScriptedTurn => {
        const step = (request.messages ?? []).filter((m) => m.role === 'assistant').length;
        const second = request.seed === 1;
        if (step > 0) return SUBMIT;
        return second
          ? bash('Fix and document.', `${FIX_ADD} && sed -i '1i // adds two numbers' src/calc.js`)
          : bash('Fix.', FIX_ADD);
      };
      const turns = Array.from({ length: 4 }, () => ({ reply: byAttempt }) as ScriptedTurn);
      const r = await runFix(turns, ['--attempts', '2', '--set', `agent.parallelAttempts=${parallel}`]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.summary.attempts.map((a: { exitStatus: string }) => a.exitStatus)).toEqual([
        'submitted',
        'submitted',
      ]);
      expect(r.summary.chosenAttempt).toBe(1);
      expect(readFileSync(join(r.out, 'patch-2.diff'), 'utf8')).toContain('adds two numbers');
      expect(readFileSync(join(r.out, 'patch.diff'), 'utf8')).not.toContain('adds two numbers');
    });
  }
});
