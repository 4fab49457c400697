import { describe, expect, it } from 'vitest';
import { BASH_TOOL, parseTextAction, parseToolAction } from '../../src/agent/index.ts';
import type { Completion, ToolCall } from '../../src/core/model.ts';

const completion = (content: string, toolCalls?: ToolCall[]): Completion => ({
  message: { role: 'assistant', content, ...(toolCalls ? { toolCalls } : {}) },
  usage: { promptTokens: 1, completionTokens: 1, estimated: false },
  finishReason: toolCalls ? 'tool_calls' : 'stop',
  latencyMs: 0,
  costUsd: 0,
});
const call = (args: string, id = 'call_0'): ToolCall => ({ id, name: 'bash', arguments: args });

describe('parseTextAction', () => {
  it('takes the one bash block and the thought before it', () => {
    expect(parseTextAction('I will list files.\n```bash\nls -la src\n```\n')).toEqual({
      ok: true,
      command: 'ls -la src',
      thought: 'I will list files.',
    });
  });

  it.each([
    ['sh', '```sh\ngrep -rn x src\n```', 'grep -rn x src'],
    ['an unlabelled fence', '```\ncat a.ts\n```', 'cat a.ts'],
    ['a shell prompt', '```console\n$ npm test\n```', 'npm test'],
    [
      'a multi-line heredoc',
      "```bash\ncat > a.txt <<'EOF'\nhello\nEOF\n```",
      "cat > a.txt <<'EOF'\nhello\nEOF",
    ],
    ['an unclosed final fence', 'Run it.\n```bash\nnpm test', 'npm test'],
  ])('accepts %s', (_name, text, command) => {
    const parsed = parseTextAction(text);
    expect(parsed).toMatchObject({ ok: true, command });
  });

  it('ignores non-shell blocks next to the command', () => {
    const text = 'The bug:\n```ts\nconst x = 1;\n```\nSo:\n```bash\nsed -n 1,5p a.ts\n```';
    expect(parseTextAction(text)).toMatchObject({ ok: true, command: 'sed -n 1,5p a.ts' });
  });

  it('refuses zero or several commands rather than guessing', () => {
    expect(parseTextAction('I think the fix is done.')).toEqual({
      ok: false,
      problem: 'no command in a ```bash block',
    });
    expect(parseTextAction('```bash\nls\n```\nthen\n```bash\npwd\n```')).toEqual({
      ok: false,
      problem: '2 commands (only one is run per reply)',
    });
    // A python block alone is not a shell command.
    expect(parseTextAction('```python\nprint(1)\n```').ok).toBe(false);
  });
});

describe('parseToolAction', () => {
  it('reads {"command": …} and keeps the content as the thought', () => {
    expect(parseToolAction(completion('Listing.', [call('{"command":"ls"}')]))).toEqual({
      ok: true,
      command: 'ls',
      thought: 'Listing.',
    });
  });

  it.each([
    ['{"cmd": …}', '{"cmd":"pwd"}', 'pwd'],
    ['a JSON string', '"git diff"', 'git diff'],
    ['a bare string', 'git status', 'git status'],
  ])('accepts %s', (_name, args, command) => {
    expect(parseToolAction(completion('', [call(args)]))).toMatchObject({ ok: true, command });
  });

  it('accepts one fenced command in text when the model forgot the tool', () => {
    expect(parseToolAction(completion('Check.\n```bash\nls\n```'))).toMatchObject({
      ok: true,
      command: 'ls',
    });
    expect(parseToolAction(completion('All done!'))).toEqual({
      ok: false,
      problem: 'no call of the bash tool',
    });
  });

  it('refuses broken JSON, a missing command and several calls', () => {
    expect(parseToolAction(completion('', [call('{"command": "ls"')]))).toEqual({
      ok: false,
      problem: 'tool-call arguments that are not valid JSON',
    });
    expect(parseToolAction(completion('', [call('{"path":"a.ts"}')]))).toEqual({
      ok: false,
      problem: 'a bash tool call without a "command" string',
    });
    expect(parseToolAction(completion('', [call('{"command":"  "}')])).ok).toBe(false);
    expect(
      parseToolAction(completion('', [call('{"command":"ls"}'), call('{"command":"pwd"}', 'call_1')])),
    ).toEqual({ ok: false, problem: '2 tool calls (only one is run per reply)' });
  });

  it('describes a tool whose schema requires the command', () => {
    expect(BASH_TOOL.name).toBe('bash');
    expect(BASH_TOOL.parameters.required).toEqual(['command']);
  });
});
