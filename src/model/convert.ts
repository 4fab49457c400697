/** Conversions between our domain types (src/core/model.ts) and the Chat Completions wire types. */
import type {
  ChatCompletion,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { ChatMessage, FinishReason, ToolCall, ToolSpec } from '../core/model.ts';
import { type ReportedUsage, readReportedUsage } from './reported-usage.ts';

export function toWireMessages(messages: ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: m.content };
      case 'user':
        return { role: 'user', content: m.content };
      case 'tool':
        return { role: 'tool', content: m.content, tool_call_id: m.toolCallId ?? '' };
      default:
        return {
          role: 'assistant',
          content: m.content,
          ...(m.toolCalls?.length
            ? {
                tool_calls: m.toolCalls.map((c) => ({
                  id: c.id,
                  type: 'function' as const,
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
        };
    }
  });
}

export function toWireTools(tools: ToolSpec[] | undefined): ChatCompletionTool[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  return tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

/**
 * Some local servers (Ollama among them) report `stop` even when the reply is a tool call; the
 * agent decides by what the reply contains, so a tool call wins over `stop`. `length` is kept as
 * is: it tells the agent the reply was cut off.
 */
export function mapFinishReason(raw: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (raw) {
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'stop':
    case 'eos':
      return hasToolCalls ? 'tool_calls' : 'stop';
    default:
      return hasToolCalls ? 'tool_calls' : 'other';
  }
}

export interface RawReply {
  content: string;
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage: ReportedUsage | undefined;
}

export function fromChatCompletion(response: ChatCompletion): RawReply {
  const choice = response.choices?.[0];
  const toolCalls: ToolCall[] = [];
  (choice?.message?.tool_calls ?? []).forEach((call, i) => {
    if (call.type !== 'function' && !('function' in call)) return;
    const fn = (call as { function: { name?: string; arguments?: string } }).function;
    toolCalls.push({ id: call.id || `call_${i}`, name: fn.name ?? '', arguments: fn.arguments ?? '' });
  });
  return {
    content: choice?.message?.content ?? '',
    toolCalls,
    finishReason: choice?.finish_reason ?? null,
    // llama.cpp's `timings` is not in the SDK's types; the parsed body still carries it.
    usage: readReportedUsage(response.usage, (response as { timings?: unknown }).timings),
  };
}
