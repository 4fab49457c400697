/**
 * Keeps the conversation inside the model's window without spoiling the server's prompt cache.
 * Local servers (llama.cpp, Ollama, LM Studio, vLLM, node-llama-cpp) reuse the cached prefix of
 * the previous request, and a hybrid model like Granite 4.0 H can reuse its recurrent state only
 * when the new prompt extends the cached one; so messages already sent are never rewritten, except
 * in a rare, deliberate compaction: when the conversation outgrows the budget, the oldest
 * observations are replaced by one-line notes until it is well under the budget (issue 15). The
 * system prompt, the task and the most recent turns stay byte-identical.
 */
import {
  CHARS_PER_TOKEN,
  type Conversation,
  KEEP_RECENT,
  messageChars,
  type ObservationMeta,
  PROTECTED_HEAD,
} from './context.ts';
import { removeOldSteps } from './old-steps.ts';
import { type Prompts, renderFragment } from './prompts.ts';

/**
 * Replaces the oldest observations by notes until the estimate is at most `targetTokens`; when the
 * notes of a long run are themselves too many, the oldest elided steps go entirely
 * (`removeOldSteps`). Returns how many observations were elided. The conversation is the agent's
 * own: messages are replaced, never mutated, so a caller's copy of an earlier message stays as it was.
 */
export function compact(conversation: Conversation, targetTokens: number, prompts: Prompts): number {
  const { messages } = conversation;
  let chars = messages.reduce((n, m) => n + messageChars(m), 0);
  let elided = 0;
  const recent = messages.length - KEEP_RECENT;
  for (const obs of conversation.observations) {
    if (Math.ceil(chars / CHARS_PER_TOKEN) <= targetTokens) break;
    if (obs.note !== undefined || obs.index < PROTECTED_HEAD || obs.index >= recent) continue;
    const message = messages[obs.index]!;
    obs.note = elisionNote(prompts, obs, message.content);
    chars += obs.note.length - message.content.length;
    messages[obs.index] = { ...message, content: obs.note };
    elided++;
  }
  removeOldSteps(conversation, targetTokens, prompts);
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
