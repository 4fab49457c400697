/**
 * The production `Model`: any OpenAI-compatible Chat Completions endpoint (Ollama, LM Studio, vLLM,
 * llama.cpp server, a cloud API) through the `openai` SDK. The SDK's own retries are off: we retry
 * here so that backoff, `retry-after`, logging and the final error (with a hint) are ours, and so a
 * stream that breaks half-way is retried as a whole.
 */
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../core/log.ts';
import type { ChatMessage, CompleteOptions, Completion, Model, Usage } from '../core/model.ts';
import { createOpenAIClient } from './client.ts';
import { RECOMMENDED_CONTEXT_TOKENS } from './context-advice.ts';
import {
  fromChatCompletion,
  mapFinishReason,
  type RawReply,
  toWireMessages,
  toWireTools,
} from './convert.ts';
import { toModelError } from './errors.ts';
import { abortError, type Backoff, DEFAULT_BACKOFF, retryDelay, sleep } from './retry.ts';
import { accumulateStream } from './stream.ts';
import { costUsd, estimateCompletionTokens, estimatePromptTokens } from './usage.ts';

export type ModelSettings = Config['model'];

export interface OpenAIModelDeps {
  logger: Logger;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  backoff?: Partial<Backoff>;
  random?: () => number;
}

export function createOpenAIModel(settings: ModelSettings, deps: OpenAIModelDeps): Model {
  const log = deps.logger.child({ component: 'model', model: settings.name, baseUrl: settings.baseUrl });
  const client = createOpenAIClient(settings, {
    logger: log,
    timeoutMs: settings.requestTimeoutMs,
    fetch: deps.fetch,
  });
  const backoff = { ...DEFAULT_BACKOFF, ...deps.backoff };

  const requestOnce = async (messages: ChatMessage[], options: CompleteOptions, signal: AbortSignal) => {
    const seed = options.seed ?? settings.seed;
    const body: ChatCompletionCreateParamsBase = {
      model: settings.name,
      messages: toWireMessages(messages),
      temperature: options.temperature ?? settings.temperature,
      max_tokens: options.maxTokens ?? settings.maxTokens,
      ...(seed !== undefined ? { seed } : {}),
      ...(options.tools?.length ? { tools: toWireTools(options.tools) } : {}),
    };
    if (!settings.stream) {
      return fromChatCompletion(await client.chat.completions.create({ ...body, stream: false }, { signal }));
    }
    const stream = await client.chat.completions.create(
      { ...body, stream: true, stream_options: { include_usage: true } },
      { signal },
    );
    return accumulateStream(stream, options.onToken);
  };

  return {
    name: settings.name,
    contextWindow: settings.contextWindow ?? RECOMMENDED_CONTEXT_TOKENS,
    // The server is up when it lists its models; whichever provider choice led here (`auto` too).
    async ready(signal) {
      const url = `${settings.baseUrl.replace(/\/+$/, '')}/models`;
      const headers: Record<string, string> = settings.apiKey
        ? { authorization: `Bearer ${settings.apiKey}` }
        : {};
      let res: Response;
      try {
        res = await (deps.fetch ?? fetch)(url, { signal, headers });
      } catch (err) {
        throw new Error(`model endpoint ${url} is not reachable: ${(err as Error).message}`);
      }
      await res.body?.cancel();
      if (!res.ok) throw new Error(`model endpoint ${url} answered HTTP ${res.status}`);
      return `${settings.name} at ${settings.baseUrl}`;
    },
    async complete(messages, options = {}): Promise<Completion> {
      const started = performance.now();
      const callerSignal = options.signal;
      for (let attempt = 0; ; attempt++) {
        if (callerSignal?.aborted) throw abortError(callerSignal);
        // Our own deadline covers the whole exchange, including a slow stream after the headers.
        const deadline = AbortSignal.timeout(settings.requestTimeoutMs);
        const signal = callerSignal ? AbortSignal.any([callerSignal, deadline]) : deadline;
        try {
          const raw = await requestOnce(messages, options, signal);
          return toCompletion(raw, messages, options, settings, performance.now() - started);
        } catch (err) {
          if (callerSignal?.aborted) throw abortError(callerSignal);
          const error = toModelError(err, {
            baseUrl: settings.baseUrl,
            model: settings.name,
            timeoutMs: settings.requestTimeoutMs,
            timedOut: deadline.aborted,
          });
          const delayMs =
            error.retryable && attempt < settings.retries
              ? retryDelay(error, attempt, backoff, deps.random)
              : undefined;
          if (delayMs === undefined) {
            log.warn({ code: error.code, attempts: attempt + 1 }, `model request failed: ${error.message}`);
            throw error;
          }
          log.warn(
            { code: error.code, attempt: attempt + 1, delayMs: Math.round(delayMs) },
            'model request failed; retrying',
          );
          await sleep(delayMs, callerSignal);
        }
      }
    },
  };
}

function toCompletion(
  raw: RawReply,
  messages: ChatMessage[],
  options: CompleteOptions,
  settings: ModelSettings,
  latencyMs: number,
): Completion {
  // Some servers send zeros instead of leaving usage out; both mean "unknown".
  const reported =
    raw.usage && raw.usage.promptTokens + raw.usage.completionTokens > 0 ? raw.usage : undefined;
  const usage: Usage = reported
    ? { ...reported, estimated: false }
    : {
        promptTokens: estimatePromptTokens(messages, options.tools),
        completionTokens: estimateCompletionTokens(raw.content, raw.toolCalls),
        estimated: true,
      };
  const message: ChatMessage = { role: 'assistant', content: raw.content };
  if (raw.toolCalls.length > 0) message.toolCalls = raw.toolCalls;
  return {
    message,
    usage,
    finishReason: mapFinishReason(raw.finishReason, raw.toolCalls.length > 0),
    latencyMs: Math.round(latencyMs),
    costUsd: costUsd(usage, settings.price),
  };
}
