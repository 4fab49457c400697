/**
 * Reads the one shell command out of a model reply, in either action format. Small models get
 * the format wrong often, so the parser is lenient where that is safe (```sh fences, `{"cmd": …}`,
 * a bare-string argument, a fenced block in a tool-call reply, an unclosed final fence, and tool
 * calls written as text: `<tool_call>{…}</tool_call>` or a bare `{"name": "bash", …}` object) and
 * exact where it is not (zero, empty or several commands are a format error, never a guess).
 */
import type { Completion } from '../core/model.ts';
import { cleanCommand, commandFromArguments, type Found } from './arguments.ts';
import type { Problem } from './problems.ts';
import { findBareCalls, findTaggedCalls } from './tool-call-text.ts';

export type ParsedAction = { ok: true; command: string; thought: string } | { ok: false; problem: Problem };

const FENCE = /```([A-Za-z]*)[ \t]*\r?\n([\s\S]*?)```/g;
const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'console', 'zsh', '']);

/** A reply cut off by the token limit is never run, whatever it contains. */
export function parseReply(completion: Completion, format: 'text' | 'tool_call'): ParsedAction {
  if (completion.finishReason === 'length') return { ok: false, problem: { code: 'cut-off' } };
  return format === 'tool_call' ? parseToolAction(completion) : parseTextAction(completion.message.content);
}

export function parseTextAction(text: string): ParsedAction {
  const allBlocks = [...text.matchAll(FENCE)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    lang: m[1]!.toLowerCase(),
    body: m[2]!,
  }));
  // A tag inside a shell command is the command's text (e.g. a heredoc), and a fence inside a tag the call's.
  const tagged = findTaggedCalls(text).filter(
    (t) => !allBlocks.some((b) => SHELL_LANGS.has(b.lang) && inside(t.start, b)),
  );
  const blocks = allBlocks.filter((b) => !tagged.some((t) => inside(b.start, t)));
  const shell = blocks.filter((b) => SHELL_LANGS.has(b.lang));
  const fenced: Found[] = shell.map((b) => ({ start: b.start, end: b.end, result: cleanCommand(b.body) }));
  const bare = findBareCalls(text, [...tagged, ...shell]);
  const found = [...tagged, ...fenced, ...bare];
  if (found.length > 1) return { ok: false, problem: { code: 'several-commands', count: found.length } };
  if (found.length === 1) return toAction(text, found[0]!);
  // An opening fence the model never closed, at the end of the reply.
  const open = /```(bash|sh|shell)?[ \t]*\r?\n([\s\S]+)$/.exec(text);
  if (open && blocks.length === 0)
    return toAction(text, { start: open.index, end: text.length, result: cleanCommand(open[2]!) });
  return { ok: false, problem: { code: 'no-command' } };
}

export function parseToolAction(completion: Completion): ParsedAction {
  const calls = completion.message.toolCalls ?? [];
  if (calls.length === 0) {
    // Small models often answer in text even when given a tool; one command in the text is accepted.
    const fromText = parseTextAction(completion.message.content);
    return fromText.ok || fromText.problem.code !== 'no-command'
      ? fromText
      : { ok: false, problem: { code: 'no-tool-call' } };
  }
  if (calls.length > 1) return { ok: false, problem: { code: 'several-tool-calls', count: calls.length } };
  const raw = calls[0]!.arguments.trim();
  let args: unknown;
  try {
    args = raw.startsWith('{') || raw.startsWith('"') ? JSON.parse(raw) : raw;
  } catch {
    return { ok: false, problem: { code: 'invalid-arguments' } };
  }
  const result = commandFromArguments(args);
  if ('problem' in result) return { ok: false, problem: result.problem };
  return { ok: true, command: result.command, thought: completion.message.content.trim() };
}

function inside(index: number, span: { start: number; end: number }): boolean {
  return index >= span.start && index < span.end;
}

function toAction(text: string, found: Found): ParsedAction {
  if ('problem' in found.result) return { ok: false, problem: found.result.problem };
  const thought = `${text.slice(0, found.start)}${text.slice(found.end)}`.trim();
  return { ok: true, command: found.result.command, thought };
}

export const BASH_TOOL = {
  name: 'bash',
  description: 'Run one shell command at the repository root and return its exit code and output.',
  parameters: {
    type: 'object',
    properties: { command: { type: 'string', description: 'The shell command to run.' } },
    required: ['command'],
    additionalProperties: false,
  },
};
