/**
 * Reassembles a streamed chat completion: text fragments are concatenated (and passed to `onToken`
 * as they arrive), tool calls are rebuilt from deltas keyed by `index` — the first delta carries the
 * id and name, later ones carry pieces of the arguments — and usage comes from the final chunk with
 * empty `choices` (sent when the request asks for `stream_options.include_usage`).
 */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { RawReply } from './convert.ts';
import { readReportedUsage } from './reported-usage.ts';

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

export async function accumulateStream(
  chunks: AsyncIterable<ChatCompletionChunk>,
  onToken?: (text: string) => void,
): Promise<RawReply> {
  let content = '';
  let finishReason: string | null = null;
  let reportedUsage: unknown;
  let timings: unknown;
  const calls = new Map<number, PartialCall>();

  for await (const chunk of chunks) {
    if (chunk.usage) reportedUsage = chunk.usage;
    // llama.cpp sends `timings` (its cache figures) on the final chunks; not in the SDK's types.
    const chunkTimings = (chunk as { timings?: unknown }).timings;
    if (chunkTimings) timings = chunkTimings;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const text = choice.delta?.content;
    if (text) {
      content += text;
      onToken?.(text);
    }
    for (const delta of choice.delta?.tool_calls ?? []) {
      // Servers that leave out `index` send one call per delta; give each its own slot.
      const index = typeof delta.index === 'number' ? delta.index : calls.size;
      const call = calls.get(index) ?? { id: '', name: '', arguments: '' };
      if (delta.id) call.id = delta.id;
      // Some servers repeat the name on every delta; it never arrives in pieces.
      if (delta.function?.name && !call.name) call.name = delta.function.name;
      if (delta.function?.arguments) call.arguments += delta.function.arguments;
      calls.set(index, call);
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }

  const toolCalls = [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, c]) => ({ id: c.id || `call_${index}`, name: c.name, arguments: c.arguments }));
  return { content, toolCalls, finishReason, usage: readReportedUsage(reportedUsage, timings) };
}
