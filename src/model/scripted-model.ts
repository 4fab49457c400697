/**
 * An in-process deterministic `Model` for unit tests (after mini-swe-agent's DeterministicModel):
 * each call returns the next scripted turn and records the messages it was given. Running out of
 * script is an error, so a test cannot pass by accident with an empty reply.
 */
import { ModelError } from '../core/errors.ts';
import type {
  ChatMessage,
  CompleteOptions,
  Completion,
  FinishReason,
  Model,
  ToolCall,
} from '../core/model.ts';
import { abortError } from './retry.ts';
import { estimateCompletionTokens, estimatePromptTokens } from './usage.ts';

export interface ScriptedModelTurn {
  content?: string;
  toolCalls?: { name: string; arguments: string | Record<string, unknown> }[];
  finishReason?: FinishReason;
  usage?: { promptTokens: number; completionTokens: number };
  costUsd?: number;
  /** Thrown instead of replying (e.g. a `ModelError` with code `context_overflow`). */
  error?: Error;
}

/** A plain string is shorthand for `{ content }`; a function computes the turn from the messages. */
export type ScriptedModelStep =
  | string
  | ScriptedModelTurn
  | ((messages: ChatMessage[]) => ScriptedModelTurn | string);

export interface ScriptedModel extends Model {
  /** The messages of every call, copied at call time. */
  readonly calls: ChatMessage[][];
  readonly remaining: number;
}

export function createScriptedModel(
  steps: ScriptedModelStep[],
  options: { name?: string; contextWindow?: number } = {},
): ScriptedModel {
  const calls: ChatMessage[][] = [];
  let next = 0;
  return {
    name: options.name ?? 'scripted',
    contextWindow: options.contextWindow ?? 32_768,
    calls,
    get remaining() {
      return steps.length - next;
    },
    async complete(messages: ChatMessage[], opts: CompleteOptions = {}): Promise<Completion> {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      calls.push(structuredClone(messages));
      const step = steps[next];
      if (step === undefined)
        throw new ModelError(`scripted model: script exhausted after ${steps.length} turns`, {
          code: 'script_exhausted',
          hint: 'add a turn to the test script',
        });
      next++;
      const resolved = typeof step === 'function' ? step(messages) : step;
      const turn: ScriptedModelTurn = typeof resolved === 'string' ? { content: resolved } : resolved;
      if (turn.error) throw turn.error;
      const content = turn.content ?? '';
      const toolCalls: ToolCall[] = (turn.toolCalls ?? []).map((c, i) => ({
        id: `call_${i}`,
        name: c.name,
        arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
      }));
      if (content) opts.onToken?.(content);
      const message: ChatMessage = { role: 'assistant', content };
      if (toolCalls.length > 0) message.toolCalls = toolCalls;
      return {
        message,
        usage: turn.usage
          ? { ...turn.usage, estimated: false }
          : {
              promptTokens: estimatePromptTokens(messages, opts.tools),
              completionTokens: estimateCompletionTokens(content, toolCalls),
              estimated: true,
            },
        finishReason: turn.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
        latencyMs: 0,
        costUsd: turn.costUsd ?? 0,
      };
    },
  } satisfies ScriptedModel;
}
