/**
 * The `Model` backed by an in-process GGUF (node-llama-cpp). The prompt is the conversation in the
 * model's own chat format (prompt.ts: the GGUF's template when it has one, e.g. Granite 4.0's). With
 * the bash tool offered, decoding is constrained by a grammar that yields exactly the template's tool
 * call (`thought\n<tool_call>\n{"name": "bash", "arguments": {…}}\n</tool_call>` for Granite), the
 * thought bounded by `model.embedded.thoughtMaxChars`; without tools the model writes free text (the
 * ```bash text format). Calls are serialised on one context sequence, and each call reuses the KV
 * cache of the longest prefix it shares with the previous prompt; the prompt tokens it did not have
 * to evaluate are reported as cached.
 */
import { randomUUID } from 'node:crypto';
import type { LlamaContextSequence, LlamaGrammar, LlamaModel, TokenBias } from 'node-llama-cpp';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../core/log.ts';
import type { ChatMessage, CompleteOptions, Completion, FinishReason, Model } from '../../core/model.ts';
import { abortError } from '../retry.ts';
import { costUsd } from '../usage.ts';
import { createPromptRenderer, type PromptRenderer } from './prompt.ts';
import type { EmbeddedRuntime } from './runtime.ts';
import { parseToolCall, toolCallGrammar } from './tool-syntax.ts';

export interface EmbeddedModel extends Model {
  readonly runtime: EmbeddedRuntime;
  readonly prompt: PromptRenderer;
  /** The one context sequence every call evaluates on (its token meter counts what was evaluated). */
  readonly sequence: LlamaContextSequence;
  tokenize(text: string): number[];
  dispose(): Promise<void>;
}

export function createEmbeddedModel(
  runtime: EmbeddedRuntime,
  settings: Config['model'],
  deps: { logger: Logger; name?: string },
): EmbeddedModel {
  const log = deps.logger.child({ component: 'embedded-model' });
  const sequence = runtime.context.getSequence();
  // node-llama-cpp is an optional peer: its classes come from the module the runtime loaded.
  const completion = new runtime.lib.LlamaCompletion({ contextSequence: sequence });
  const prompt = createPromptRenderer(runtime.model, runtime.lib.resolveChatWrapper(runtime.model));
  const grammars = new Map<number, { grammar: Promise<LlamaGrammar>; commandMax: number }>();
  const grammarFor = (maxTokens: number) => {
    let g = grammars.get(maxTokens);
    if (!g) {
      const built = toolCallGrammar(prompt.syntax, {
        thoughtMax: settings.embedded.thoughtMaxChars,
        maxTokens,
      });
      g = { grammar: runtime.llama.createGrammar({ grammar: built.gbnf }), commandMax: built.commandMax };
      grammars.set(maxTokens, g);
    }
    return g;
  };
  let noMarkers: TokenBias | undefined;
  const markerBiasOnce = () => {
    noMarkers ??= markerBias(runtime.lib, runtime.model);
    return noMarkers;
  };
  let queue: Promise<unknown> = Promise.resolve();

  const completeOnce = async (messages: ChatMessage[], options: CompleteOptions): Promise<Completion> => {
    if (options.signal?.aborted) throw abortError(options.signal);
    const started = performance.now();
    const wantsTool = options.tools?.some((t) => t.name === 'bash') ?? false;
    const tokens = prompt.tokens(messages, options.tools);
    const before = sequence.tokenMeter.getState();
    const seed = options.seed ?? settings.seed;
    const maxTokens = options.maxTokens ?? settings.maxTokens;
    const result = await completion.generateCompletionWithMeta(tokens, {
      maxTokens,
      temperature: options.temperature ?? settings.temperature,
      ...(seed !== undefined ? { seed } : {}),
      ...(wantsTool
        ? {
            grammar: await grammarFor(maxTokens).grammar,
            tokenBias: markerBiasOnce(),
          }
        : {}),
      ...(!wantsTool && prompt.endOfMessage ? { customStopTriggers: [prompt.endOfMessage] } : {}),
      signal: options.signal,
      onTextChunk: options.onToken,
    });
    if (result.metadata.stopReason === 'abort' && options.signal) throw abortError(options.signal);
    const used = sequence.tokenMeter.diff(before);
    // An aborted call before this one may still count its last token here: never more than asked.
    const completionTokens = Math.min(used.usedOutputTokens, maxTokens);
    const promptTokens = tokens.length;
    // The meter counts prompt tokens evaluated (generated ones count as output): the rest of the
    // prompt came from the KV cache of the previous call.
    const evaluated = Math.min(promptTokens, used.usedInputTokens);
    const call = wantsTool ? parseToolCall(prompt.syntax, result.response) : undefined;
    const message: ChatMessage = call
      ? {
          role: 'assistant',
          content: call.thought,
          toolCalls: [
            {
              id: `call_${randomUUID()}`,
              name: 'bash',
              arguments: JSON.stringify({ command: call.command }),
            },
          ],
        }
      : { role: 'assistant', content: result.response };
    // Never run half a command: a reply cut by the token limit, or a command as long as the grammar
    // allows (most likely cut there), is reported as cut off.
    const cut =
      result.metadata.stopReason === 'maxTokens' ||
      (call !== undefined && call.command.length >= grammarFor(maxTokens).commandMax);
    const finishReason: FinishReason = cut ? 'length' : call ? 'tool_calls' : 'stop';
    const usage = {
      promptTokens,
      completionTokens,
      estimated: false,
      cachedPromptTokens: promptTokens - evaluated,
    };
    log.debug({ ...usage, finishReason }, 'embedded completion');
    return {
      message,
      usage,
      finishReason,
      latencyMs: Math.round(performance.now() - started),
      costUsd: costUsd(usage, settings.price),
    };
  };

  let disposed = false;
  return {
    name: deps.name ?? settings.name,
    contextWindow: runtime.context.contextSize,
    runtime,
    prompt,
    sequence,
    // In-process: ready while loaded; there is nothing to reach.
    async ready() {
      if (disposed) throw new Error(`the embedded model ${deps.name ?? settings.name} was unloaded`);
      return `embedded ${deps.name ?? settings.name}, ${runtime.context.contextSize} tokens of context`;
    },
    tokenize: (text) => [...runtime.model.tokenize(text)],
    complete(messages, options = {}) {
      // One sequence: calls wait for the previous one (a failure must not block the next).
      const run = queue.then(() => completeOnce(messages, options));
      queue = run.catch(() => undefined);
      return run;
    },
    async dispose() {
      disposed = true;
      await queue;
      completion.dispose();
      await runtime.dispose();
    },
  };
}

/**
 * Inside a tool call the model writes text only: control tokens (BOS, role markers) are never
 * sampled there; the end-of-text token stays allowed (node-llama-cpp ignores "never" for it).
 */
function markerBias(lib: EmbeddedRuntime['lib'], model: LlamaModel): TokenBias {
  const bias = new lib.TokenBias(model.tokenizer);
  for (const token of model.iterateAllTokens()) if (model.isSpecialToken(token)) bias.set(token, 'never');
  return bias;
}
