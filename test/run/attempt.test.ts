/**
 * An attempt's feedback rounds use the prompts it was given (loaded once per run), never a fresh
 * read of `agent.promptsDir`, and continue the same conversation.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPrompts, SUBMIT_SENTINEL } from '../../src/agent/index.ts';
import { configSchema } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { ExecOptions, Sandbox } from '../../src/core/sandbox.ts';
import { createScriptedModel } from '../../src/model/index.ts';
import { runAttempt } from '../../src/run/attempt.ts';
import { planTestRun, runTests } from '../../src/validate/index.ts';
import { createFakeSandbox } from '../agent/fake-sandbox.ts';
import { sampleTask } from '../agent/fixtures.ts';

const bash = (command: string) => `Next.\n\`\`\`bash\n${command}\n\`\`\``;
const SUBMIT = bash(`echo ${SUBMIT_SENTINEL}`);

/** The fake sandbox, with the test command failing once after the first submit. */
function sandboxWithTests(exitCodes: number[]): Sandbox & { commands: string[] } {
  const inner = createFakeSandbox({ replies: { 'sed -i s/a/b/ x.ts': {}, 'sed -i s/b/c/ x.ts': {} } });
  return {
    ...inner,
    commands: inner.commands,
    async exec(command: string, options?: ExecOptions) {
      if (!command.includes('make check')) return inner.exec(command, options);
      const exitCode = exitCodes.shift() ?? 0;
      return {
        output: exitCode ? 'FAIL x\n' : 'ok\n',
        exitCode,
        timedOut: false,
        truncated: false,
        elidedBytes: 0,
        durationMs: 1,
      };
    },
  };
}

describe('runAttempt', () => {
  it('sends failures back with the prompts it was given, not a fresh read of promptsDir', async () => {
    const onDisk = mkdtempSync(join(tmpdir(), 'attempt-prompts-'));
    writeFileSync(join(onDisk, 'feedback.md'), 'FROM DISK {{command}} {{failures}} {{submit}}');
    const config = configSchema.parse({ agent: { promptsDir: onDisk } });
    const prompts = {
      ...loadPrompts(),
      feedback: 'GIVEN: {{command}} failed.\n{{failures}}\nThen: echo {{submit}}',
    };
    const sandbox = sandboxWithTests([0, 1, 0]);
    const plan = planTestRun({
      command: 'make check',
      runner: 'make',
      source: 'Makefile',
      appendable: false,
    });
    const baseline = await runTests(sandbox, plan);
    const model = createScriptedModel([
      bash('sed -i s/a/b/ x.ts'),
      SUBMIT,
      bash('sed -i s/b/c/ x.ts'),
      SUBMIT,
    ]);
    const result = await runAttempt({
      attempt: 1,
      task: sampleTask,
      config,
      model,
      sandbox,
      prompts,
      plan,
      baseline,
      extractPatch: async () => 'diff --git a/x.ts b/x.ts\n+c\n',
      runValidation: (p) => runTests(sandbox, p),
      trace: () => {},
      tracePath: '/dev/null',
      logger: silentLogger(),
    });
    expect(result).toMatchObject({ exitStatus: 'submitted', feedbackRounds: 1, steps: 4 });
    expect(result.validation?.comparison.ok).toBe(true);
    const feedback = model.calls[2]!.at(-1)!;
    expect(feedback.role).toBe('user');
    expect(feedback.content).toMatch(/^GIVEN: make check failed\.\n/);
    expect(feedback.content).toContain(`Then: echo ${SUBMIT_SENTINEL}`);
    // The second round continues the first round's conversation, unchanged.
    expect(model.calls[2]!.slice(0, model.calls[1]!.length)).toEqual(model.calls[1]);
  });
});
