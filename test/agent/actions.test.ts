import { describe, expect, it } from 'vitest';
import {
  BASH_TOOL,
  loadPrompts,
  type ParsedAction,
  parseReply,
  parseTextAction,
  parseToolAction,
  problemText,
} from '../../src/agent/index.ts';
import type { Completion, ToolCall } from '../../src/core/model.ts';

const completion = (content: string, toolCalls?: ToolCall[]): Completion => ({
  message: { role: 'assistant', content, ...(toolCalls ? { toolCalls } : {}) },
  usage: { promptTokens: 1, completionTokens: 1, estimated: false },
  finishReason: toolCalls ? 'tool_calls' : 'stop',
  latencyMs: 0,
  costUsd: 0,
});
const prompts = loadPrompts();
/** A parse result with its problem in the words the model reads (prompts/format-problems.md). */
const said = (parsed: ParsedAction) =>
  parsed.ok ? parsed : { ok: false, problem: problemText(prompts, parsed.problem) };
const call = (args: string, id = 'call_0'): ToolCall => ({ id, name: 'bash', arguments: args });

describe('parseTextAction', () => {
  it('takes the one bash block and the thought before it', () => {
    expect(said(parseTextAction('I will list files.\n```bash\nls -la src\n```\n'))).toEqual({
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
    expect(said(parseTextAction(text))).toMatchObject({ ok: true, command: 'sed -n 1,5p a.ts' });
  });

  it('refuses zero or several commands rather than guessing', () => {
    expect(said(parseTextAction('I think the fix is done.'))).toEqual({
      ok: false,
      problem: 'no command in a ```bash block',
    });
    expect(said(parseTextAction('```bash\nls\n```\nthen\n```bash\npwd\n```'))).toEqual({
      ok: false,
      problem: '2 commands (only one is run per reply)',
    });
    // A python block alone is not a shell command.
    expect(said(parseTextAction('```python\nprint(1)\n```')).ok).toBe(false);
  });
});

describe('tool calls written as text', () => {
  it.each([
    [
      'Granite: a thought, then <tool_call> on its own lines',
      'I will look for the function first.\n<tool_call>\n{"name": "bash", "arguments": {"command": "grep -rn \\"formatDate\\" src | head -20"}}\n</tool_call>',
      'grep -rn "formatDate" src | head -20',
      'I will look for the function first.',
    ],
    [
      'Qwen: pretty-printed JSON over several lines',
      '<tool_call>\n{\n  "name": "bash",\n  "arguments": {\n    "command": "ls -la src"\n  }\n}\n</tool_call>',
      'ls -la src',
      '',
    ],
    [
      'Hermes: text on both sides',
      'Let me run the tests.\n<tool_call>{"name":"bash","arguments":{"command":"python -m pytest -x tests/test_dates.py"}}</tool_call>\nThis should show the failure.',
      'python -m pytest -x tests/test_dates.py',
      'Let me run the tests.\n\nThis should show the failure.',
    ],
    [
      'a closing tag the model never wrote',
      '<tool_call>\n{"name": "bash", "arguments": {"command": "cat setup.py"}}',
      'cat setup.py',
      '',
    ],
    [
      'Granite 3: a one-element array',
      '<tool_call>[{"name": "bash", "arguments": {"command": "git diff"}}]',
      'git diff',
      '',
    ],
    [
      'arguments encoded as a JSON string',
      '<tool_call>{"name": "bash", "arguments": "{\\"command\\": \\"pwd\\"}"}</tool_call>',
      'pwd',
      '',
    ],
    [
      'a bare object',
      'Checking the config.\n{"name": "bash", "arguments": {"command": "cat pyproject.toml"}}',
      'cat pyproject.toml',
      'Checking the config.',
    ],
    [
      'a bare object in a json fence',
      '```json\n{"name": "bash", "arguments": {"cmd": "ls tests"}}\n```',
      'ls tests',
      '```json\n\n```',
    ],
    [
      'braces and quotes inside the command',
      '<tool_call>{"name": "bash", "arguments": {"command": "awk \'{print $1}\' a.txt && echo \\"}\\""}}</tool_call>',
      `awk '{print $1}' a.txt && echo "}"`,
      '',
    ],
  ])('reads %s as one bash call', (_name, text, command, thought) => {
    expect(said(parseTextAction(text))).toEqual({ ok: true, command, thought });
  });

  it('does the same in the tool-call format when the server passed the call through as text', () => {
    const text =
      'Now the fix.\n<tool_call>\n{"name": "bash", "arguments": {"command": "sed -i \'s/utc/tz/\' src/date.ts"}}\n</tool_call>';
    expect(said(parseToolAction(completion(text)))).toEqual({
      ok: true,
      command: "sed -i 's/utc/tz/' src/date.ts",
      thought: 'Now the fix.',
    });
  });

  it('does not mistake JSON inside a command or other objects in the text for a call', () => {
    const echo = '```bash\necho \'{"name": "bash", "arguments": {"command": "rm -rf /"}}\' > call.json\n```';
    expect(said(parseTextAction(echo))).toMatchObject({ ok: true, command: expect.stringMatching(/^echo /) });
    const pkg = 'package.json says {"name": "dates", "version": "1.0.0"}.\n```bash\nnpm test\n```';
    expect(said(parseTextAction(pkg))).toMatchObject({ ok: true, command: 'npm test' });
    expect(said(parseTextAction('The tool is {"name": "python", "arguments": {"code": "1"}}')).ok).toBe(
      false,
    );
    const heredoc = "Add the parser.\n```bash\ncat > parse.py <<'EOF'\nTAG = '<tool_call>'\nEOF\n```";
    expect(said(parseTextAction(heredoc))).toMatchObject({
      ok: true,
      command: expect.stringMatching(/^cat > parse.py/),
    });
  });

  it.each([
    [
      'two <tool_call> blocks',
      '<tool_call>{"name":"bash","arguments":{"command":"ls"}}</tool_call>\n<tool_call>{"name":"bash","arguments":{"command":"pwd"}}</tool_call>',
      '2 commands (only one is run per reply)',
    ],
    [
      'a <tool_call> and a fenced block',
      '```bash\nls\n```\n<tool_call>{"name":"bash","arguments":{"command":"pwd"}}</tool_call>',
      '2 commands (only one is run per reply)',
    ],
    [
      'a bare object and a fenced block',
      '{"name": "bash", "arguments": {"command": "ls"}}\n```bash\npwd\n```',
      '2 commands (only one is run per reply)',
    ],
    [
      'an array of two calls',
      '<tool_call>[{"name":"bash","arguments":{"command":"ls"}},{"name":"bash","arguments":{"command":"pwd"}}]</tool_call>',
      '2 commands (only one is run per reply)',
    ],
    [
      'an empty command',
      '<tool_call>{"name": "bash", "arguments": {"command": ""}}</tool_call>',
      'an empty command',
    ],
    ['empty arguments', '<tool_call>{"name": "bash", "arguments": {}}</tool_call>', 'an empty command'],
    ['no arguments', '{"name": "bash"}', 'an empty command'],
    [
      'another tool',
      '<tool_call>{"name": "str_replace_editor", "arguments": {"path": "a.py"}}</tool_call>',
      'a call of the unknown tool "str_replace_editor" (the only tool is bash)',
    ],
    [
      'broken JSON',
      '<tool_call>{"name": "bash", "arguments": {"command": "ls"</tool_call>',
      'a <tool_call> without valid JSON {"name": …, "arguments": …}',
    ],
  ])('refuses %s', (_name, text, problem) => {
    expect(said(parseTextAction(text))).toEqual({ ok: false, problem });
  });
});

describe('empty commands', () => {
  it.each([
    ['an empty fenced block', 'I will check the file.\n```bash\n```'],
    ['a whitespace-only block', 'Next:\n```bash\n   \n\t\n```'],
    ['a shell prompt and nothing else', '```console\n$ \n```'],
    ['an unclosed fence with only spaces', 'Run:\n```bash\n   '],
  ])('refuses %s in text', (_name, text) => {
    expect(said(parseTextAction(text))).toEqual({ ok: false, problem: 'an empty command' });
  });

  it.each([
    ['empty arguments', ''],
    ['an empty object', '{}'],
    ['an empty command', '{"command": ""}'],
    ['a whitespace command', '{"command": " \\n "}'],
    ['an empty string', '""'],
  ])('refuses a bash tool call with %s', (_name, args) => {
    expect(said(parseToolAction(completion('', [call(args)])))).toEqual({
      ok: false,
      problem: 'an empty command',
    });
  });

  it('reports the empty command, not a missing tool call, when the text had one', () => {
    expect(said(parseToolAction(completion('```bash\n```')))).toEqual({
      ok: false,
      problem: 'an empty command',
    });
  });
});

describe('problem texts', () => {
  it('come from prompts/format-problems.md, one line per code, with their details', () => {
    const custom = {
      ...prompts,
      'format-problems': 'several-commands: {{count}} Befehle\nunknown-tool: Werkzeug {{tool}}\n',
    };
    expect(problemText(custom, { code: 'several-commands', count: 3 })).toBe('3 Befehle');
    expect(problemText(custom, { code: 'unknown-tool', tool: 'edit' })).toBe('Werkzeug "edit"');
    expect(() => problemText(custom, { code: 'empty-command' })).toThrow(
      'prompt format-problems has no line for empty-command',
    );
  });

  it('cover every code the parser can return', () => {
    const codes = prompts['format-problems'].split('\n').flatMap((l) => /^([a-z-]+):/.exec(l)?.[1] ?? []);
    expect(codes.sort()).toEqual(
      [
        'cut-off',
        'empty-command',
        'invalid-arguments',
        'invalid-tool-call',
        'no-command',
        'no-command-argument',
        'no-tool-call',
        'several-commands',
        'several-tool-calls',
        'unknown-tool',
      ].sort(),
    );
  });
});

describe('parseReply', () => {
  it('never runs a reply cut off by the token limit', () => {
    const cut = { ...completion('```bash\nls\n```'), finishReason: 'length' as const };
    expect(said(parseReply(cut, 'text'))).toEqual({
      ok: false,
      problem: 'a reply cut off by the token limit',
    });
    expect(said(parseReply(completion('```bash\nls\n```'), 'text'))).toMatchObject({
      ok: true,
      command: 'ls',
    });
  });
});

describe('parseToolAction', () => {
  it('reads {"command": …} and keeps the content as the thought', () => {
    expect(said(parseToolAction(completion('Listing.', [call('{"command":"ls"}')])))).toEqual({
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
    expect(said(parseToolAction(completion('', [call(args)])))).toMatchObject({ ok: true, command });
  });

  it('accepts one fenced command in text when the model forgot the tool', () => {
    expect(said(parseToolAction(completion('Check.\n```bash\nls\n```')))).toMatchObject({
      ok: true,
      command: 'ls',
    });
    expect(said(parseToolAction(completion('All done!')))).toEqual({
      ok: false,
      problem: 'no call of the bash tool',
    });
  });

  it('refuses broken JSON, a missing command and several calls', () => {
    expect(said(parseToolAction(completion('', [call('{"command": "ls"')])))).toEqual({
      ok: false,
      problem: 'tool-call arguments that are not valid JSON',
    });
    expect(said(parseToolAction(completion('', [call('{"path":"a.ts"}')])))).toEqual({
      ok: false,
      problem: 'a bash tool call without a "command" string',
    });
    expect(said(parseToolAction(completion('', [call('{"command":"  "}')])))).toEqual({
      ok: false,
      problem: 'an empty command',
    });
    expect(
      said(parseToolAction(completion('', [call('{"command":"ls"}'), call('{"command":"pwd"}', 'call_1')]))),
    ).toEqual({ ok: false, problem: '2 tool calls (only one is run per reply)' });
  });

  it('describes a tool whose schema requires the command', () => {
    expect(BASH_TOOL.name).toBe('bash');
    expect(BASH_TOOL.parameters.required).toEqual(['command']);
  });
});
