/**
 * Our chat messages → node-llama-cpp's chat history, and the bash tool call ↔ the JSON the grammar
 * makes the model write. A tool call is rendered back into the history exactly as the model wrote it
 * (`{"thought": …, "command": …}`), so the next turn reuses the evaluated prefix in the KV cache.
 */
import type { ChatHistoryItem } from 'node-llama-cpp';
import type { ChatMessage, ToolCall } from '../../core/model.ts';

export function toChatHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const items: ChatHistoryItem[] = [];
  for (const m of messages) {
    if (m.role === 'system') items.push({ type: 'system', text: m.content });
    else if (m.role === 'assistant') items.push({ type: 'model', response: [renderAssistant(m)] });
    else {
      // Tool results go back as user turns; consecutive ones (a result, then feedback) are joined.
      const last = items.at(-1);
      if (last?.type === 'user') last.text = `${last.text}\n\n${m.content}`;
      else items.push({ type: 'user', text: m.content });
    }
  }
  return items;
}

function renderAssistant(m: ChatMessage): string {
  const call = m.toolCalls?.[0];
  if (!call) return m.content;
  const command = commandOf(call);
  return command === undefined ? `${m.content}\n${call.arguments}`.trim() : renderAction(m.content, command);
}

export function renderAction(thought: string, command: string): string {
  return JSON.stringify({ thought, command });
}

function commandOf(call: ToolCall): string | undefined {
  try {
    const args = JSON.parse(call.arguments) as { command?: unknown };
    return typeof args.command === 'string' ? args.command : undefined;
  } catch {
    return undefined;
  }
}

/** The grammar's JSON → our message: the thought as content, the command as the bash tool's arguments. */
export function parseAction(text: string): { thought: string; command: string } | undefined {
  try {
    const value = JSON.parse(text) as { thought?: unknown; command?: unknown };
    if (typeof value.command !== 'string') return undefined;
    return { thought: typeof value.thought === 'string' ? value.thought : '', command: value.command };
  } catch {
    return undefined;
  }
}

/**
 * The grammar the decoder is constrained to when the bash tool is offered: the JSON object
 * `{"thought":"…","command":"…"}` (what node-llama-cpp's JSON schema grammar would give for
 * `{thought: string, command: string}`), narrowed so it always closes within `maxTokens`: strings hold
 * printable ASCII and the escapes \n \t \" \\ \/ (at most 2 bytes per character; every token is at
 * least a byte) and have a bounded length. A command that reaches its bound was probably cut, so the
 * caller reports it as cut off rather than running it. Non-ASCII text can still be written with
 * printf escapes.
 */
export function actionGrammar(maxTokens: number): { gbnf: string; thoughtMax: number; commandMax: number } {
  const OVERHEAD = 32; // the fixed JSON around the two strings, one byte per token at worst
  const budget = Math.max(32, maxTokens - OVERHEAD);
  const thoughtMax = Math.min(200, Math.floor(budget / 10));
  const commandMax = Math.floor((budget - 2 * thoughtMax) / 2);
  const gbnf = [
    'root ::= "{\\"thought\\":\\"" thought "\\",\\"command\\":\\"" command "\\"}"',
    `thought ::= unit{0,${thoughtMax}}`,
    `command ::= unit{1,${commandMax}}`,
    'unit ::= [ !#-[\\]-~] | "\\\\" ["\\\\/nt]',
  ].join('\n');
  return { gbnf, thoughtMax, commandMax };
}
