/** The conversation the agent keeps, and the estimate of its size in tokens. */
import type { ChatMessage } from '../core/model.ts';

/** Conservative: code and logs tokenize at ~3–4 characters per token. */
export const CHARS_PER_TOKEN = 3.5;

export function estimateTokens(messages: ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) chars += messageChars(m);
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

export function messageChars(m: ChatMessage): number {
  let chars = m.content.length + 16;
  for (const call of m.toolCalls ?? []) chars += call.arguments.length + call.name.length + 16;
  return chars;
}

export interface ObservationMeta {
  /** Index of the observation message in the conversation. */
  index: number;
  command: string;
  exitCode: number | null;
  /** The note that replaced the output (a message is elided at most once). */
  note?: string;
}

/** The messages sent so far, and which of them are observations that compaction may shorten. */
export interface Conversation {
  messages: ChatMessage[];
  observations: ObservationMeta[];
  /** Whole early steps that a compaction removed after their notes alone grew too long. */
  removedSteps?: number;
}

export const KEEP_RECENT = 4;
export const PROTECTED_HEAD = 2;
