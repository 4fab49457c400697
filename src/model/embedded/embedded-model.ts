/**
 * The `Model` backed by an in-process GGUF (node-llama-cpp). With the bash tool offered, decoding is
 * constrained by a JSON schema grammar, so even a small model can only write a well-formed
 * `{"thought", "command"}` object, returned as a bash tool call; without tools it writes free text
 * (the ```bash text format). Calls are serialised: one context sequence, and each turn reuses the
 * KV cache of the conversation so far.
 */
import { randomUUID } from 'node:crypto';
import { LlamaChat, type LlamaGrammar } from 'node-llama-cpp';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../core/log.ts';
import type { ChatMessage, CompleteOptions, Completion, FinishReason, Model } from '../../core/model.ts';
import { abortError } from '../retry.ts';
import { costUsd } from '../usage.ts';
import { actionGrammar, parseAction, toChatHistory } from './history.ts';
import type { EmbeddedRuntime } from './runtime.ts';

export interface EmbeddedModel extends Model {
  readonly runtime: EmbeddedRuntime;
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
  const chat = new LlamaChat({ contextSequence: sequence });
  const grammars = new Map<number, { grammar: Promise<LlamaGrammar>; commandMax: number }>();
  const grammarFor = (maxTokens: number) => {
    let g = grammars.get(maxTokens);
    if (!g) {
      const { gbnf, commandMax } = actionGrammar(maxTokens);
      g = { grammar: runtime.llama.createGrammar({ grammar: gbnf }), commandMax };
      grammars.set(maxTokens, g);
    }
    return g;
  };
  let queue: Promise<unknown> = Promise.resolve();

  const completeOnce = async (messages: ChatMessage[], options: CompleteOptions): Promise<Completion> => {
    if (options.signal?.aborted) throw abortError(options.signal);
    const started = performance.now();
    const maxTokens = options.maxTokens ?? settings.maxTokens;
    const wantsTool = options.tools?.some((t) => t.name === 'bash') ?? false;
    const history = toChatHistory(messages);
    const promptTokens = chat.chatWrapper
      .generateContextState({ chatHistory: [...history, { type: 'model', response: [] }] })
      .contextText.tokenize(runtime.model.tokenizer).length;
    const before = sequence.tokenMeter.getState();
    const temperature = options.temperature ?? settings.temperature;
    const seed = options.seed ?? settings.seed;
    const result = await chat.generateResponse(history, {
      maxTokens,
      temperature,
      ...(seed !== undefined ? { seed } : {}),
      ...(wantsTool ? { grammar: await grammarFor(maxTokens).grammar } : {}),
      signal: options.signal,
      onTextChunk: options.onToken,
    });
    if (result.metadata.stopReason === 'abort' && options.signal) throw abortError(options.signal);
    const completionTokens = sequence.tokenMeter.diff(before).usedOutputTokens;
    const action = wantsTool ? parseAction(result.response) : undefined;
    // A command as long as the grammar allows was most likely cut there: never run half a command.
    const cut =
      result.metadata.stopReason === 'maxTokens' ||
      (action !== undefined && action.command.length >= grammarFor(maxTokens).commandMax);
    const message: ChatMessage = action
      ? {
          role: 'assistant',
          content: action.thought,
          toolCalls: [
            {
              id: `call_${randomUUID()}`,
              name: 'bash',
              arguments: JSON.stringify({ command: action.command }),
            },
          ],
        }
      : { role: 'assistant', content: result.response };
    const finishReason: FinishReason = cut ? 'length' : action ? 'tool_calls' : 'stop';
    const usage = { promptTokens, completionTokens, estimated: false };
    log.debug({ promptTokens, completionTokens, finishReason }, 'embedded completion');
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
      chat.dispose();
      await runtime.dispose();
    },
  };
}
