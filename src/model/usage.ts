/**
 * Token accounting when the server reports none (some local servers omit `usage`, especially when
 * streaming), and cost from an optional price table. The estimate is deliberately simple: ~4
 * characters per token, good enough for budgets and always marked `estimated: true`.
 */
import type { Config } from '../config/schema.ts';
import type { ChatMessage, ToolSpec, Usage } from '../core/model.ts';

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** A chat template adds a few tokens per message for role markers. */
const PER_MESSAGE_OVERHEAD = 4;

export function estimatePromptTokens(messages: ChatMessage[], tools: ToolSpec[] = []): number {
  let total = 0;
  for (const m of messages) {
    total += PER_MESSAGE_OVERHEAD + estimateTokens(m.content);
    for (const call of m.toolCalls ?? []) total += estimateTokens(call.name + call.arguments);
  }
  if (tools.length > 0) total += estimateTokens(JSON.stringify(tools));
  return total;
}

export function estimateCompletionTokens(
  content: string,
  toolCalls: { name: string; arguments: string }[],
): number {
  return estimateTokens(content) + toolCalls.reduce((n, c) => n + estimateTokens(c.name + c.arguments), 0);
}

export function costUsd(usage: Usage, price: Config['model']['price']): number {
  if (!price) return 0;
  return (
    (usage.promptTokens * price.inputPerMTokUsd + usage.completionTokens * price.outputPerMTokUsd) / 1_000_000
  );
}
