/**
 * Chat Completions wire bodies for the scripted server. Streams are cut the way real servers cut
 * them: text in small fragments, each tool call announced (id, name) and then its arguments split
 * across several chunks, the finish reason on its own chunk, usage last with empty `choices`.
 */
import type { ScriptedToolCall, ScriptedTurn } from './scripted-server.ts';

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Usage as sent, with llama.cpp's `timings` beside it when the flavour has them. */
export interface WireReport {
  usage: WireUsage & { prompt_tokens_details?: { cached_tokens: number } };
  timings?: Record<string, number>;
}

const CREATED = 1_700_000_000;

function finishReason(turn: ScriptedTurn): string {
  return turn.finishReason ?? (turn.toolCalls?.length ? 'tool_calls' : 'stop');
}

function argumentsText(call: ScriptedToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

export function chatCompletionBody(turn: ScriptedTurn, model: string, reported: WireReport | undefined) {
  const toolCalls = turn.toolCalls?.map((call, i) => ({
    id: `call_${i}`,
    type: 'function',
    function: { name: call.name, arguments: argumentsText(call) },
  }));
  return {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: turn.content ?? null,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReason(turn),
      },
    ],
    ...(reported ? { usage: reported.usage } : {}),
    ...(reported?.timings ? { timings: reported.timings } : {}),
  };
}

/** Splits text into fragments of at most `size` characters (at least one fragment). */
export function fragments(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

export function streamChunks(turn: ScriptedTurn, model: string, reported: WireReport | undefined): object[] {
  const chunk = (delta: object, finish: string | null = null) => ({
    id: 'chatcmpl-scripted',
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const chunks: object[] = [chunk({ role: 'assistant', content: '' })];
  if (turn.content) for (const piece of fragments(turn.content, 8)) chunks.push(chunk({ content: piece }));
  turn.toolCalls?.forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [
          { index, id: `call_${index}`, type: 'function', function: { name: call.name, arguments: '' } },
        ],
      }),
    );
    const args = argumentsText(call);
    for (const piece of fragments(args, Math.max(1, Math.ceil(args.length / 3))))
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  chunks.push(chunk({}, finishReason(turn)));
  if (reported)
    chunks.push({
      id: 'chatcmpl-scripted',
      object: 'chat.completion.chunk',
      created: CREATED,
      model,
      choices: [],
      usage: reported.usage,
      ...(reported.timings ? { timings: reported.timings } : {}),
    });
  return chunks;
}
