import { describe, expect, it } from 'vitest';
import {
  buildInitialMessages,
  estimateTokens,
  formatErrorFeedback,
  loadPrompts,
  render,
  runAgent,
  SUBMIT_SENTINEL,
} from '../../src/agent/index.ts';
import type { Config } from '../../src/config/schema.ts';
import { ModelError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { ChatMessage, Model } from '../../src/core/model.ts';
import type { Sandbox } from '../../src/core/sandbox.ts';
import { createScriptedModel, type ScriptedModelStep } from '../../src/model/index.ts';
import { createFakeSandbox } from './fake-sandbox.ts';
import { agentSettings, collectEvents, recordOptions, sampleTask, unansweredToolCalls } from './fixtures.ts';

const prompts = loadPrompts();
const SUBMIT = `Done.\n\`\`\`bash\necho ${SUBMIT_SENTINEL}\n\`\`\``;
const bash = (command: string, thought = 'Next.') => `${thought}\n\`\`\`bash\n${command}\n\`\`\``;
const tool = (command: string, content = '') => ({
  content,
  toolCalls: [{ name: 'bash', arguments: { command } }],
});
/** True when `next` starts with every message of `previous`, unchanged (a cacheable prefix). */
const extendsCall = (previous: ChatMessage[], next: ChatMessage[]) =>
  previous.every((m, i) => JSON.stringify(m) === JSON.stringify(next[i]));
const isNote = (m: ChatMessage) => m.content.includes('elided to save space');
const lastUser = (messages: ChatMessage[]) => messages.filter((m) => m.role === 'user').at(-1)!.content;

function run(
  model: Model,
  sandbox: Sandbox,
  settings: Partial<Config['agent']> = {},
  extra: Partial<Parameters<typeof runAgent>[0]> = {},
) {
  return runAgent({
    model,
    sandbox,
    task: sampleTask,
    settings: agentSettings(settings),
    prompts,
    logger: silentLogger(),
    ...extra,
  });
}

describe('runAgent: submitting', () => {
  it('runs one command per reply in the text format and stops at the sentinel', async () => {
    const model = recordOptions(createScriptedModel([bash('ls src', 'I will look around.'), SUBMIT]));
    const sandbox = createFakeSandbox({ replies: { 'ls src': { output: 'date.ts\nindex.ts\n' } } });
    const steps: unknown[] = [];
    const result = await run(model, sandbox, {}, { onStep: (s) => steps.push(s) });
    expect(result).toMatchObject({ exitStatus: 'submitted', submitted: true, steps: 2 });
    expect(result.usage.calls).toBe(2);
    expect(sandbox.commands).toEqual([
      'ls src',
      `echo ${SUBMIT_SENTINEL}`,
      'git status --porcelain | head -n 5',
    ]);
    expect(sandbox.options[0]).toMatchObject({ timeoutMs: 120_000, maxOutputBytes: 32_000 });
    expect(model.options[0]!.tools).toBeUndefined();
    expect(lastUser(model.calls[1]!)).toBe(
      '<returncode>0</returncode>\n<output>\ndate.ts\nindex.ts\n</output>\n',
    );
    expect(steps).toEqual([
      { step: 1, max: 40, command: 'ls src' },
      { step: 2, max: 40, command: `echo ${SUBMIT_SENTINEL}` },
    ]);
  });

  it('runs bash tool calls and answers each call with a tool message', async () => {
    const model = recordOptions(
      createScriptedModel([tool('ls', 'Looking.'), tool(`echo ${SUBMIT_SENTINEL}`)]),
    );
    const sandbox = createFakeSandbox({ replies: { ls: { output: 'a.ts\n', exitCode: 0 } } });
    const result = await run(model, sandbox, { actionFormat: 'tool_call' });
    expect(result.exitStatus).toBe('submitted');
    expect(model.options[0]!.tools?.map((t) => t.name)).toEqual(['bash']);
    const second = model.calls[1]!;
    expect(second.at(-1)).toEqual({
      role: 'tool',
      toolCallId: 'call_0',
      content: '<returncode>0</returncode>\n<output>\na.ts\n</output>\n',
    });
    expect(unansweredToolCalls(result.messages)).toEqual([]);
  });

  it('answers a clean-tree submit with "nothing changed" once, then accepts', async () => {
    const model = createScriptedModel([SUBMIT, SUBMIT]);
    const sandbox = createFakeSandbox({ gitStatus: { output: '' } });
    const result = await run(model, sandbox);
    expect(result).toMatchObject({ exitStatus: 'submitted', steps: 2 });
    expect(lastUser(model.calls[1]!)).toBe(prompts['submit-empty']);
    expect(sandbox.commands.filter((c) => c.startsWith('git status'))).toHaveLength(2);
  });

  it('does not take a sentinel inside other output, or a failing echo, as a submit', async () => {
    const model = createScriptedModel([bash('cat notes'), bash('false-submit'), SUBMIT]);
    const sandbox = createFakeSandbox({
      replies: {
        notes: {},
        'cat notes': { output: `see\n${SUBMIT_SENTINEL}\n` },
        'false-submit': { output: `${SUBMIT_SENTINEL}\n`, exitCode: 1 },
      },
    });
    const result = await run(model, sandbox);
    expect(result).toMatchObject({ exitStatus: 'submitted', steps: 3 });
  });
});

describe('runAgent: format errors', () => {
  it('answers no command, two commands and broken tool JSON with the corrective message', async () => {
    const text = createScriptedModel(['I am thinking about it.', `${bash('ls')}\n${bash('pwd')}`, SUBMIT]);
    const { events, onEvent } = collectEvents();
    const result = await run(text, createFakeSandbox(), {}, { onEvent });
    expect(result).toMatchObject({ exitStatus: 'submitted', steps: 3 });
    const feedback = (problem: string) => formatErrorFeedback(prompts, problem, 'text');
    expect(lastUser(text.calls[1]!)).toBe(feedback('no command in a ```bash block'));
    expect(lastUser(text.calls[2]!)).toBe(feedback('2 commands (only one is run per reply)'));
    expect(lastUser(text.calls[2]!)).toContain(`echo ${SUBMIT_SENTINEL}`);
    expect(
      events.filter((e) => e.type === 'format_error').map((e) => e.type === 'format_error' && e.step),
    ).toEqual([1, 2]);

    const calls = createScriptedModel([
      { toolCalls: [{ name: 'bash', arguments: '{"command": "ls"' }] },
      tool(`echo ${SUBMIT_SENTINEL}`),
    ]);
    const sandbox = createFakeSandbox();
    const viaTool = await run(calls, sandbox, { actionFormat: 'tool_call' });
    expect(viaTool.exitStatus).toBe('submitted');
    const retry = calls.calls[1]!;
    expect(retry.at(-2)).toEqual({
      role: 'tool',
      toolCallId: 'call_0',
      content: 'not run: tool-call arguments that are not valid JSON',
    });
    expect(retry.at(-1)!.content).toContain('as one call of the bash tool');
    expect(sandbox.commands[0]).toBe(`echo ${SUBMIT_SENTINEL}`);
    expect(unansweredToolCalls(viaTool.messages)).toEqual([]);
  });

  it('runs a <tool_call> written in the text, and answers an empty command with the corrective message', async () => {
    const granite =
      'I will list the sources.\n<tool_call>\n{"name": "bash", "arguments": {"command": "ls src"}}\n</tool_call>';
    const model = createScriptedModel(['Checking.\n```bash\n```', granite, SUBMIT]);
    const sandbox = createFakeSandbox({ replies: { 'ls src': { output: 'date.ts\n' } } });
    const { events, onEvent } = collectEvents();
    const result = await run(model, sandbox, {}, { onEvent });
    expect(result).toMatchObject({ exitStatus: 'submitted', steps: 3 });
    expect(lastUser(model.calls[1]!)).toBe(formatErrorFeedback(prompts, 'an empty command', 'text'));
    expect(sandbox.commands[0]).toBe('ls src');
    expect(events.find((e) => e.type === 'step')).toMatchObject({
      command: 'ls src',
      thought: 'I will list the sources.',
    });
  });

  it('gives up with format_error after maxFormatErrors unusable replies in a row', async () => {
    const model = createScriptedModel(['hmm', 'still thinking', 'no idea', SUBMIT]);
    const sandbox = createFakeSandbox();
    const { events, onEvent } = collectEvents();
    const result = await run(model, sandbox, { maxFormatErrors: 3 }, { onEvent });
    expect(result.exitStatus).toBe('format_error');
    expect(result.detail).toMatch(/^3 format errors in a row/);
    expect(model.remaining).toBe(1);
    expect(sandbox.commands).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'end', exitStatus: 'format_error' });
  });

  it('resets the count after a good reply', async () => {
    const model = createScriptedModel(['hmm', 'hmm', bash('ls'), 'hmm', 'hmm', SUBMIT]);
    const sandbox = createFakeSandbox({ replies: { ls: { output: 'a\n' } } });
    const result = await run(model, sandbox, { maxFormatErrors: 3 });
    expect(result).toMatchObject({ exitStatus: 'submitted', steps: 6 });
  });

  it('tells a reply cut off by the token limit to be shorter, without running it', async () => {
    const model = createScriptedModel([
      { content: bash('cat > big.ts <<EOF\n...'), finishReason: 'length' },
      { ...tool('ls'), finishReason: 'length' },
      SUBMIT,
    ]);
    const sandbox = createFakeSandbox();
    const result = await run(model, sandbox);
    expect(result.exitStatus).toBe('submitted');
    expect(lastUser(model.calls[1]!)).toBe(prompts.truncated);
    expect(model.calls[2]!.at(-2)).toMatchObject({
      role: 'tool',
      content: 'not run: a reply cut off by the token limit',
    });
    expect(sandbox.commands[0]).toBe(`echo ${SUBMIT_SENTINEL}`);

    const cut = { content: 'x', finishReason: 'length' as const };
    const giveUp = await run(createScriptedModel([cut, cut]), createFakeSandbox(), { maxFormatErrors: 2 });
    expect(giveUp).toMatchObject({ exitStatus: 'format_error' });
    expect(giveUp.detail).toContain('cut off');
  });
});

describe('runAgent: limits', () => {
  const forever = (n: number, turn: ScriptedModelStep = bash('echo x')) =>
    Array.from({ length: n }, () => turn);

  it('stops at the step limit', async () => {
    const model = createScriptedModel(forever(10));
    const result = await run(model, createFakeSandbox(), { stepLimit: 3 });
    expect(result).toMatchObject({ exitStatus: 'limits_exceeded', detail: 'step limit 3 reached', steps: 3 });
    expect(model.remaining).toBe(7);
  });

  it('stops at the token limit', async () => {
    const turn = { content: bash('echo x'), usage: { promptTokens: 600, completionTokens: 10 } };
    const model = createScriptedModel(forever(10, turn));
    const result = await run(model, createFakeSandbox(), { tokenLimit: 1000 });
    expect(result).toMatchObject({
      exitStatus: 'limits_exceeded',
      detail: 'token limit 1000 reached',
      steps: 2,
    });
    expect(result.usage).toMatchObject({ promptTokens: 1200, completionTokens: 20, calls: 2 });
  });

  it('stops at the cost limit', async () => {
    const model = createScriptedModel(forever(10, { content: bash('echo x'), costUsd: 0.02 }));
    const result = await run(model, createFakeSandbox(), { costLimitUsd: 0.05 });
    expect(result).toMatchObject({ exitStatus: 'limits_exceeded', steps: 3 });
    expect(result.detail).toBe('cost limit $0.05 reached');
    expect(result.usage.costUsd).toBeCloseTo(0.06);
  });

  it('times out on the wall clock', async () => {
    const model = createScriptedModel(forever(20, bash('sleep 0.03')));
    const sandbox = createFakeSandbox({ replies: { 'sleep 0.03': { delayMs: 30 } } });
    const result = await run(model, sandbox, { wallClockMs: 70 });
    expect(result.exitStatus).toBe('timeout');
    expect(result.steps).toBeGreaterThanOrEqual(2);
    expect(result.steps).toBeLessThanOrEqual(4);
    expect(result.durationMs).toBeGreaterThanOrEqual(70);
  });

  it('shows a command that timed out as a timeout, with its partial output', async () => {
    const model = createScriptedModel([bash('npm test'), SUBMIT]);
    const sandbox = createFakeSandbox({
      replies: { 'npm test': { output: 'PASS a.test.ts', exitCode: 137, timedOut: true } },
    });
    const { events, onEvent } = collectEvents();
    await run(model, sandbox, { commandTimeoutMs: 2000 }, { onEvent });
    expect(sandbox.options[0]!.timeoutMs).toBe(2000);
    const observation = lastUser(model.calls[1]!);
    expect(observation).toBe(render(prompts.timeout, { seconds: 2, output: 'PASS a.test.ts\n' }));
    expect(events.find((e) => e.type === 'step')).toMatchObject({
      timedOut: true,
      exitCode: 137,
      observation,
    });
  });
});

describe('runAgent: cancellation', () => {
  it('returns cancelled when aborted during a command, without another model call', async () => {
    const controller = new AbortController();
    const model = createScriptedModel([bash('npm test'), SUBMIT]);
    const sandbox = createFakeSandbox({
      replies: {
        'npm test': (options) => {
          expect(options?.signal).toBe(controller.signal);
          controller.abort();
          return { output: 'killed', exitCode: 137 };
        },
      },
    });
    const result = await run(model, sandbox, {}, { signal: controller.signal });
    expect(result).toMatchObject({ exitStatus: 'cancelled', steps: 1 });
    expect(model.remaining).toBe(1);
  });

  it('returns cancelled when the model call is aborted, or the signal was aborted before', async () => {
    const controller = new AbortController();
    const model = createScriptedModel([
      () => {
        controller.abort();
        const err = new Error('aborted');
        err.name = 'AbortError';
        return { error: err };
      },
    ]);
    const result = await run(model, createFakeSandbox(), {}, { signal: controller.signal });
    expect(result.exitStatus).toBe('cancelled');
    const before = await run(
      createScriptedModel([SUBMIT]),
      createFakeSandbox(),
      {},
      { signal: controller.signal },
    );
    expect(before).toMatchObject({ exitStatus: 'cancelled', steps: 0 });
  });
});

describe('runAgent: context budget', () => {
  const big = (i: number) => ({ output: `${String(i).repeat(1999)}\n` });

  it('compacts rarely and well under the budget, never the system prompt, task or last turns', async () => {
    const commands = Array.from({ length: 30 }, (_, i) => `cat big${i}`);
    const model = createScriptedModel([...commands.map((c) => bash(c)), SUBMIT], { contextWindow: 6000 });
    const output = (i: number) => `${String(i % 10).repeat(999)}\n`;
    const replies = Object.fromEntries(commands.map((c, i) => [c, { output: output(i) }]));
    const result = await run(model, createFakeSandbox({ replies }));
    expect(result.exitStatus).toBe('submitted');
    const initial = buildInitialMessages(sampleTask, agentSettings(), prompts, '/workspace');
    const budget = Math.floor((6000 - 1500) * 0.95);
    const last = model.calls.at(-1)!;
    expect(last.slice(0, 2)).toEqual(initial);
    expect(last.at(-1)!.content).toContain('9'.repeat(999));
    expect(last.at(-3)!.content).toContain('8'.repeat(999));
    // The oldest elided steps went whole once their notes alone were too many; the first left says so.
    expect(last[3]!.content).toMatch(
      /^\[(\d+) earlier steps elided to save space\]\n\[output of `cat big\1` elided to save space: 5 lines, returncode 0\]$/,
    );
    for (const call of model.calls) {
      expect(estimateTokens(call)).toBeLessThanOrEqual(budget);
      // Roles keep alternating (strict chat templates refuse two user messages in a row).
      expect(call.slice(1).every((m, i) => m.role !== call[i + 2]?.role)).toBe(true);
    }
    // Append-only between compactions: each call extends the one before, except after a compaction.
    const rewrites = model.calls.slice(1).filter((call, i) => !extendsCall(model.calls[i]!, call));
    const elided = last.filter(isNote).length + (result.conversation.removedSteps ?? 0);
    const full = last.filter((m) => /(\d)\1{998}/.test(m.content)).length;
    // Every output is in full, a note, or counted as removed; most went, in 1–3 compactions (the
    // old way: a rewrite before nearly every call).
    expect(elided + full).toBe(30);
    expect(elided).toBeGreaterThanOrEqual(20);
    expect(rewrites.length).toBeGreaterThanOrEqual(1);
    expect(rewrites.length).toBeLessThanOrEqual(3);
    // Each compaction leaves room for several more turns before the next one.
    for (const call of rewrites) expect(estimateTokens(call)).toBeLessThanOrEqual(budget * 0.6);
  });

  it('keeps a new observation under an eighth of a small budget, head and tail', async () => {
    const model = createScriptedModel([bash('cat huge'), SUBMIT], { contextWindow: 4096 });
    const huge = `${'h'.repeat(3000)}${'m'.repeat(4000)}${'t'.repeat(3000)}`;
    await run(model, createFakeSandbox({ replies: { 'cat huge': { output: huge } } }));
    const budget = Math.floor((4096 - 1024) * 0.95);
    const shown = lastUser(model.calls[1]!);
    expect(shown.length).toBeLessThan((budget * 3.5) / 8 + 200);
    expect(shown).toContain('h'.repeat(500));
    expect(shown).toContain('t'.repeat(700));
    expect(shown).toMatch(/\[\.\.\. \d+ characters elided; narrow the command to see them \.\.\.\]/);
  });

  it('follows the context window it is given over the model default', async () => {
    const commands = Array.from({ length: 6 }, (_, i) => `cat big${i}`);
    const model = createScriptedModel([...commands.map((c) => bash(c)), SUBMIT], { contextWindow: 32_768 });
    const replies = Object.fromEntries(commands.map((c, i) => [c, { output: `${i}`.repeat(2000) }]));
    await run(model, createFakeSandbox({ replies }), {}, { contextWindow: 4096 });
    const budget = Math.floor((4096 - 1024) * 0.95);
    expect(model.calls.some((call) => call.some(isNote))).toBe(true);
    for (const call of model.calls) expect(estimateTokens(call)).toBeLessThanOrEqual(budget);
  });

  it('shrinks the context and retries when the server reports an overflow', async () => {
    const commands = Array.from({ length: 5 }, (_, i) => `cat big${i}`);
    const overflow = new ModelError('prompt too long', { code: 'context_overflow' });
    const model = createScriptedModel([...commands.map((c) => bash(c)), { error: overflow }, SUBMIT], {
      contextWindow: 5000,
    });
    const replies = Object.fromEntries(commands.map((c, i) => [c, big(i)]));
    const { events, onEvent } = collectEvents();
    const result = await run(model, createFakeSandbox({ replies }), {}, { onEvent });
    expect(result).toMatchObject({ exitStatus: 'submitted', steps: 6 });
    expect(events.flatMap((e) => (e.type === 'step' ? [e.step] : []))).toEqual([1, 2, 3, 4, 5, 6]);
    const [refused, retried] = model.calls.slice(-2) as [ChatMessage[], ChatMessage[]];
    expect(refused.some(isNote)).toBe(false);
    expect(retried.some(isNote)).toBe(true);
    expect(estimateTokens(retried)).toBeLessThan(estimateTokens(refused));
  });

  it('gives up after repeated overflows, and rethrows other model errors', async () => {
    const overflow = new ModelError('prompt too long', { code: 'context_overflow' });
    const model = createScriptedModel([
      { error: overflow },
      { error: overflow },
      { error: overflow },
      SUBMIT,
    ]);
    await expect(run(model, createFakeSandbox())).rejects.toBe(overflow);
    expect(model.remaining).toBe(1);
    const down = new ModelError('unreachable', { code: 'model_unreachable', retryable: true });
    await expect(run(createScriptedModel([{ error: down }]), createFakeSandbox())).rejects.toBe(down);
  });
});

describe('runAgent: feedback rounds', () => {
  it('continues the same conversation with the feedback as the next message', async () => {
    const first = createScriptedModel([bash('ls'), SUBMIT]);
    const sandbox = createFakeSandbox({ replies: { ls: { output: 'a.ts\n' } } });
    const one = await run(first, sandbox);
    const second = createScriptedModel([SUBMIT]);
    const { events, onEvent } = collectEvents();
    const feedback = 'The tests fail now: test/date.test.ts';
    const two = await run(second, sandbox, {}, { history: one.conversation, feedback, onEvent });
    expect(two).toMatchObject({ exitStatus: 'submitted', steps: 1 });
    const sent = second.calls[0]!;
    expect(sent.slice(0, one.messages.length)).toEqual(one.messages);
    expect(sent.at(-1)).toEqual({ role: 'user', content: feedback });
    expect(events.filter((e) => e.type === 'message')).toEqual([
      { type: 'message', at: expect.any(String), role: 'user', content: feedback },
    ]);
    // The history handed in is not mutated.
    expect(one.messages.at(-1)!.role).not.toBe('user');
  });

  it('keeps a tool-call conversation valid across the feedback round', async () => {
    const first = createScriptedModel([tool(`echo ${SUBMIT_SENTINEL}`)]);
    const sandbox = createFakeSandbox();
    const one = await run(first, sandbox, { actionFormat: 'tool_call' });
    expect(unansweredToolCalls(one.messages)).toEqual([]);
    const second = createScriptedModel([tool(`echo ${SUBMIT_SENTINEL}`)]);
    await run(
      second,
      sandbox,
      { actionFormat: 'tool_call' },
      { history: one.conversation, feedback: 'tests fail' },
    );
    expect(unansweredToolCalls(second.calls[0]!)).toEqual([]);
  });
});

describe('runAgent: trace events', () => {
  it('emits the messages, each step, format errors and the end, in order', async () => {
    const model = createScriptedModel([
      { content: bash('ls', 'Look.'), usage: { promptTokens: 100, completionTokens: 5 } },
      'oops',
      SUBMIT,
    ]);
    const { events, onEvent } = collectEvents();
    await run(model, createFakeSandbox({ replies: { ls: { output: 'a.ts\n' } } }), {}, { onEvent });
    expect(events.map((e) => e.type)).toEqual(['message', 'message', 'step', 'format_error', 'step', 'end']);
    expect(events[0]).toMatchObject({ role: 'system' });
    expect(events[1]).toMatchObject({ role: 'user' });
    expect(events[2]).toEqual({
      type: 'step',
      at: expect.any(String),
      step: 1,
      thought: 'Look.',
      command: 'ls',
      observation: '<returncode>0</returncode>\n<output>\na.ts\n</output>\n',
      exitCode: 0,
      timedOut: false,
      modelMs: expect.any(Number),
      execMs: expect.any(Number),
      usage: { promptTokens: 100, completionTokens: 5, estimated: false },
    });
    expect(events[3]).toMatchObject({ type: 'format_error', step: 2, reply: 'oops' });
    expect(events[4]).toMatchObject({ type: 'step', step: 3, command: `echo ${SUBMIT_SENTINEL}` });
    expect(events[5]).toEqual({
      type: 'end',
      at: expect.any(String),
      exitStatus: 'submitted',
      patchBytes: 0,
    });
  });
});
