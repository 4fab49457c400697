/**
 * Keeps the conversation inside the model's window. Small models degrade long before their window
 * is full, and servers reject or silently truncate overflowing prompts, so before each call old
 * observations are replaced by a one-line note — never the system prompt, the task, or the most
 * recent turns.
 */
import type { ChatMessage } from '../core/model.ts';

/** Conservative: code and logs tokenize at ~3–4 characters per token. */
export function estimateTokens(messages: ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += m.content.length + 16;
    for (const call of m.toolCalls ?? []) chars += call.arguments.length + call.name.length + 16;
  }
  return Math.ceil(chars / 3.5);
}

export interface ObservationMeta {
  /** Index of the observation message in the conversation. */
  index: number;
  command: string;
  exitCode: number | null;
}

const KEEP_RECENT = 4;
const PROTECTED_HEAD = 2;

/**
 * Elides the oldest observations until the estimate fits `budgetTokens`. Returns how many were
 * elided. Mutates `messages` in place (the conversation is the agent's own).
 */
export function fitContext(
  messages: ChatMessage[],
  observations: ObservationMeta[],
  budgetTokens: number,
): number {
  let elided = 0;
  const last = messages.length - KEEP_RECENT;
  for (const obs of observations) {
    if (estimateTokens(messages) <= budgetTokens) break;
    if (obs.index < PROTECTED_HEAD || obs.index >= last) continue;
    const message = messages[obs.index]!;
    if (message.content.startsWith('[output of')) continue;
    const lines = message.content.split('\n').length;
    const command = obs.command.length > 80 ? `${obs.command.slice(0, 77)}...` : obs.command;
    message.content = `[output of \`${command}\` elided to save space: ${lines} lines, returncode ${obs.exitCode ?? 'n/a'}]`;
    elided++;
  }
  return elided;
}
