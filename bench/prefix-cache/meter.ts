/**
 * What a prefix-caching server (llama.cpp, Ollama, LM Studio, vLLM, node-llama-cpp) must evaluate
 * for a sequence of chat requests: each prompt, rendered as a chat template renders it, is compared
 * with the one before; only what follows the longest common prefix is evaluated again. A hybrid
 * model like Granite 4.0 H reuses its recurrent state only for an exact prefix, so this is what a
 * step costs there. Tokens are counted as GPT-2 pre-tokenizer pieces (a lower bound of BPE tokens
 * that moves with them), so the figures need no tokenizer file.
 */
import type { ChatRequestBody } from '../../src/model/index.ts';

type WireMessage = NonNullable<ChatRequestBody['messages']>[number];

export interface PrefixMeter {
  requests: number;
  /** Requests whose prompt does not extend the previous one: the cache is lost from that point. */
  invalidations: number;
  evaluatedChars: number;
  appendedChars: number;
  evaluatedTokens: number;
  appendedTokens: number;
}

const PIECES = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export function tokenPieces(text: string): string[] {
  return text.match(PIECES) ?? [];
}

/** Granite 4.0's chat-template framing (roles, tool calls as `<tool_call>` text), enough to be realistic. */
export function renderMessage(m: WireMessage): string {
  const content = typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '');
  const calls = Array.isArray(m.tool_calls)
    ? m.tool_calls.map((c) => `<tool_call>${JSON.stringify(c)}</tool_call>`).join('')
    : '';
  const role = m.role === 'tool' ? 'tool_response' : m.role;
  return `<|start_of_role|>${role}<|end_of_role|>${content}${calls}<|end_of_text|>\n`;
}

export function measurePrefixReuse(requests: ChatRequestBody[]): PrefixMeter {
  const meter: PrefixMeter = {
    requests: requests.length,
    invalidations: 0,
    evaluatedChars: 0,
    appendedChars: 0,
    evaluatedTokens: 0,
    appendedTokens: 0,
  };
  let previous: { text: string; pieces: string[]; count: number } | null = null;
  for (const request of requests) {
    const messages = (request.messages ?? []).map(renderMessage);
    const text = messages.join('');
    const pieces = tokenPieces(text);
    const appended = messages.slice(previous?.count ?? 0).join('');
    meter.appendedChars += appended.length;
    meter.appendedTokens += tokenPieces(appended).length;
    const sharedChars = previous ? commonPrefix(previous.text, text) : 0;
    const sharedTokens = previous ? commonPrefix(previous.pieces, pieces) : 0;
    if (previous && sharedChars < previous.text.length) meter.invalidations++;
    meter.evaluatedChars += text.length - sharedChars;
    meter.evaluatedTokens += pieces.length - sharedTokens;
    previous = { text, pieces, count: messages.length };
  }
  return meter;
}

function commonPrefix<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export const charRatio = (m: PrefixMeter) => m.evaluatedChars / m.appendedChars;
export const tokenRatio = (m: PrefixMeter) => m.evaluatedTokens / m.appendedTokens;
