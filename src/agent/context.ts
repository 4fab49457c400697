/**
 * Keeps the conversation inside the model's window without spoiling the server's prompt cache.
 * Local servers (llama.cpp, Ollama, LM Studio, vLLM, node-llama-cpp) reuse the cached prefix of
 * the previous request, and a hybrid model like Granite 4.0 H can reuse its recurrent state only
 * when the new prompt extends the cached one; so messages already sent are never rewritten, except
 * in a rare, deliberate compaction: when the conversation outgrows the budget, the oldest
 * observations are replaced by one-line notes until it is well under the budget (issue 15). The
 * system prompt, the task and the most recent turns stay byte-identical.
 */
import type { ChatMessage } from '../core/model.ts';
import { type Prompts, renderFragment } from './prompts.ts';

/** Conservative: code and logs tokenize at ~3–4 characters per token. */
export const CHARS_PER_TOKEN = 3.5;

export function estimateTokens(messages: ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) chars += messageChars(m);
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

function messageChars(m: ChatMessage): number {
  let chars = m.content.length + 16;
  for (const call of m.toolCalls ?? []) chars += call.arguments.length + call.name.length + 16;
  return chars;
}

export interface ObservationMeta {
  /** Index of the observation message in the conversation. */
  index: number;
  command: string;
  exitCode: number | null;
  /** Already replaced by a note (a message is compacted at most once). */
  elided?: boolean;
}

/** The messages sent so far, and which of them are observations that compaction may shorten. */
export interface Conversation {
  messages: ChatMessage[];
  observations: ObservationMeta[];
}

export const KEEP_RECENT = 4;
const PROTECTED_HEAD = 2;

/**
 * Replaces the oldest observations by notes until the estimate is at most `targetTokens`.
 * Returns how many were replaced. The conversation is the agent's own: messages are replaced,
 * never mutated, so a caller's copy of an earlier message stays as it was.
 */
export function compact(conversation: Conversation, targetTokens: number, prompts: Prompts): number {
  const { messages } = conversation;
  let chars = messages.reduce((n, m) => n + messageChars(m), 0);
  let elided = 0;
  const recent = messages.length - KEEP_RECENT;
  for (const obs of conversation.observations) {
    if (Math.ceil(chars / CHARS_PER_TOKEN) <= targetTokens) break;
    if (obs.elided || obs.index < PROTECTED_HEAD || obs.index >= recent) continue;
    const message = messages[obs.index]!;
    const content = elisionNote(prompts, obs, message.content);
    chars += content.length - message.content.length;
    messages[obs.index] = { ...message, content };
    obs.elided = true;
    elided++;
  }
  return elided;
}

function elisionNote(prompts: Prompts, obs: ObservationMeta, content: string): string {
  const command = obs.command.length > 80 ? `${obs.command.slice(0, 77)}...` : obs.command;
  return renderFragment(prompts.elided, {
    command,
    lines: content.split('\n').length,
    returncode: obs.exitCode ?? 'n/a',
  });
}
