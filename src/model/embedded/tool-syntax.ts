/**
 * The text of one bash tool call as the model's own chat template writes it (issue 15: a model is
 * most accurate in the format it was trained on). For Granite 4.0 that is
 * `thought\n<tool_call>\n{"name": "bash", "arguments": {"command": "…"}}\n</tool_call>`; it is read
 * off the template by rendering a probe conversation, so Qwen- or Hermes-style templates work too.
 * The grammar makes the model write exactly that text, so the next turn's rendering of the same
 * call is byte-identical and a prefix cache reuses it.
 */

export interface ToolCallSyntax {
  /** Between a non-empty thought and the call. */
  separator: string;
  /** The call up to the command's opening quote. */
  prefix: string;
  /** From the command's closing quote to the end of the call. */
  suffix: string;
}

/** What models without a template of their own get (Hermes style, also Granite's and Qwen's). */
export const DEFAULT_TOOL_CALL_SYNTAX: ToolCallSyntax = {
  separator: '\n',
  prefix: '<tool_call>\n{"name": "bash", "arguments": {"command": "',
  suffix: '"}}\n</tool_call>',
};

/** Renders template messages (OpenAI shape) to text; `generation` adds the assistant's header. */
export type RenderMessages = (messages: Record<string, unknown>[], generation: boolean) => string;

const MARK = 'CONJECTURE_PROBE_7F3A';

/** The syntax the template gives a bash call, or undefined when the probe cannot read one. */
export function deriveToolCallSyntax(render: RenderMessages): ToolCallSyntax | undefined {
  const user = { role: 'user', content: 'U' };
  const call = (content: string) => ({
    role: 'assistant',
    content,
    tool_calls: [
      { id: 'call_0', type: 'function', function: { name: 'bash', arguments: { command: MARK } } },
    ],
  });
  try {
    const head = render([user], true);
    const plain = render([user, { role: 'assistant', content: 'T' }], false);
    const withThought = render([user, call('T')], false);
    const bare = render([user, call('')], false);
    if (![plain, withThought, bare].every((t) => t.startsWith(head))) return undefined;
    const end = plain.slice(head.length + 1); // what closes a message, after its text "T"
    const tail = (t: string) => t.slice(head.length, t.length - end.length);
    if (!withThought.endsWith(end) || !bare.endsWith(end)) return undefined;
    const callText = tail(bare);
    const thoughtAndCall = tail(withThought);
    if (!thoughtAndCall.startsWith('T') || !thoughtAndCall.endsWith(callText)) return undefined;
    const at = callText.indexOf(`"${MARK}"`);
    if (at < 0) return undefined;
    return {
      separator: thoughtAndCall.slice(1, thoughtAndCall.length - callText.length),
      prefix: callText.slice(0, at + 1),
      suffix: callText.slice(at + MARK.length + 1),
    };
  } catch {
    return undefined;
  }
}

/** llama.cpp refuses a grammar repetition count of 2000 or more. */
export const MAX_GRAMMAR_REPEAT = 1_999;

/**
 * GBNF for a reply that is an optional thought and then one bash call, its command a JSON string
 * with the escapes JSON serialisers write (\" \\ \n \t). Both hold printable ASCII (plus newlines
 * and tabs in the thought), so every character costs at most one token and the reply always closes
 * within `maxTokens`: the thought gets at most a quarter of it (and at most `thoughtMax` characters),
 * the command the rest. The thought cannot start the call by accident (no `<` for Granite's call).
 * A command as long as its bound was most likely cut there; the caller reports it as cut off.
 */
export function toolCallGrammar(
  syntax: ToolCallSyntax,
  options: { thoughtMax: number; maxTokens: number },
): { gbnf: string; thoughtMax: number; commandMax: number } {
  const overhead = syntax.separator.length + syntax.prefix.length + syntax.suffix.length + 4;
  const budget = Math.max(16, options.maxTokens - overhead);
  const thoughtMax = Math.max(1, Math.min(options.thoughtMax, MAX_GRAMMAR_REPEAT, Math.floor(budget / 4)));
  const commandMax = Math.max(1, Math.min(MAX_GRAMMAR_REPEAT, budget - thoughtMax));
  const first = syntax.prefix.codePointAt(0) ?? 0;
  const gbnf = [
    `root ::= (thought ${JSON.stringify(syntax.separator)})? ${JSON.stringify(syntax.prefix)} command ${JSON.stringify(syntax.suffix)}`,
    `thought ::= tchar{1,${thoughtMax}}`,
    `tchar ::= ${asciiClassWithout(first)}`,
    `command ::= cunit{1,${commandMax}}`,
    'cunit ::= [ !#-[\\]-~] | "\\\\" ["\\\\nt]',
  ].join('\n');
  return { gbnf, thoughtMax, commandMax };
}

/** Printable ASCII, newline and tab, without `excluded` (the call's first character). */
function asciiClassWithout(excluded: number): string {
  const hex = (n: number) => `\\x${n.toString(16).padStart(2, '0')}`;
  const ranges =
    excluded > 0x20 && excluded < 0x7e
      ? `${hex(0x20)}-${hex(excluded - 1)}${hex(excluded + 1)}-${hex(0x7e)}`
      : `${hex(0x20)}-${hex(0x7e)}`;
  return `[${ranges}\\n\\t]`;
}

/** The model's text → thought and command, or undefined when it holds no complete call. */
export function parseToolCall(
  syntax: ToolCallSyntax,
  text: string,
): { thought: string; command: string } | undefined {
  const at = text.indexOf(syntax.prefix);
  if (at < 0 || !text.endsWith(syntax.suffix)) return undefined;
  const before = text.slice(0, at);
  const thought = before.endsWith(syntax.separator)
    ? before.slice(0, before.length - syntax.separator.length)
    : before;
  try {
    const command = JSON.parse(
      `"${text.slice(at + syntax.prefix.length, text.length - syntax.suffix.length)}"`,
    );
    return typeof command === 'string' ? { thought, command } : undefined;
  } catch {
    return undefined;
  }
}

/** The text the model writes for this call (the grammar's output), for models rendered without a template. */
export function renderToolCall(syntax: ToolCallSyntax, thought: string, command: string): string {
  const json = JSON.stringify(command).slice(1, -1);
  return `${thought ? `${thought}${syntax.separator}` : ''}${syntax.prefix}${json}${syntax.suffix}`;
}
