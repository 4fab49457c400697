/**
 * Reads the one shell command out of a model reply, in either action format. Small models get
 * the format wrong often, so the parser is lenient where that is safe (```sh fences, `{"cmd": …}`,
 * a bare-string argument, a fenced block in a tool-call reply, an unclosed final fence) and exact
 * where it is not (zero or several commands are a format error, never a guess).
 */
import type { Completion } from '../core/model.ts';

export type ParsedAction = { ok: true; command: string; thought: string } | { ok: false; problem: string };

const FENCE = /```([A-Za-z]*)[ \t]*\r?\n([\s\S]*?)```/g;
const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'console', 'zsh', '']);

export function parseTextAction(text: string): ParsedAction {
  const blocks = [...text.matchAll(FENCE)].map((m) => ({
    lang: m[1]!.toLowerCase(),
    body: m[2]!,
    index: m.index!,
  }));
  const shell = blocks.filter((b) => SHELL_LANGS.has(b.lang));
  if (shell.length === 1) {
    return { ok: true, command: clean(shell[0]!.body), thought: text.slice(0, shell[0]!.index).trim() };
  }
  if (shell.length > 1) return { ok: false, problem: `${shell.length} commands (only one is run per reply)` };
  // An opening fence the model never closed, at the end of the reply.
  const open = /```(bash|sh|shell)?[ \t]*\r?\n([\s\S]+)$/.exec(text);
  if (open && blocks.length === 0)
    return { ok: true, command: clean(open[2]!), thought: text.slice(0, open.index).trim() };
  return { ok: false, problem: 'no command in a ```bash block' };
}

export function parseToolAction(completion: Completion): ParsedAction {
  const calls = completion.message.toolCalls ?? [];
  if (calls.length === 0) {
    // Small models often answer in text even when given a tool; a single fenced command is accepted.
    const fromText = parseTextAction(completion.message.content);
    return fromText.ok ? fromText : { ok: false, problem: 'no call of the bash tool' };
  }
  if (calls.length > 1)
    return { ok: false, problem: `${calls.length} tool calls (only one is run per reply)` };
  const raw = calls[0]!.arguments.trim();
  let args: unknown;
  try {
    args = raw.startsWith('{') || raw.startsWith('"') ? JSON.parse(raw) : raw;
  } catch {
    return { ok: false, problem: 'tool-call arguments that are not valid JSON' };
  }
  const command =
    typeof args === 'string'
      ? args
      : typeof args === 'object' && args !== null
        ? ((args as Record<string, unknown>).command ?? (args as Record<string, unknown>).cmd)
        : undefined;
  if (typeof command !== 'string' || !command.trim())
    return { ok: false, problem: 'a bash tool call without a "command" string' };
  return { ok: true, command: clean(command), thought: completion.message.content.trim() };
}

function clean(command: string): string {
  return command
    .replace(/^\s*\$ /, '')
    .replace(/\n?```\s*$/, '')
    .trim();
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
