/**
 * What the scripted server answers besides Chat Completions when it stands in for a particular
 * server, shaped as that server's documentation and code say (so tests of context detection and
 * cache accounting exercise the real parsers):
 * - Ollama: `GET /api/ps` (`models[].context_length`, loaded models only), `POST /api/show`
 *   (`parameters`, the Modelfile's), `POST /api/generate` with no prompt loads the model; its
 *   OpenAI endpoint reports `prompt_tokens` only.
 * - llama.cpp server: `GET /props` (`default_generation_settings.n_ctx`, `total_slots`); completions
 *   carry `usage.prompt_tokens_details.cached_tokens` and `timings` (`cache_n`, `prompt_n`).
 * - LM Studio: `GET /api/v0/models` (`state`, `max_context_length`, `loaded_context_length`).
 * - vLLM: `max_model_len` in `GET /v1/models`; `usage.prompt_tokens_details.cached_tokens`.
 */
import type { WireReport, WireUsage } from './scripted-wire.ts';

export type ServerFlavour = 'ollama' | 'llama.cpp' | 'lm-studio' | 'vllm';

export interface FlavourOptions {
  flavour?: ServerFlavour;
  /** The context the stand-in serves the model with. */
  contextLength?: number;
  /** Ollama / LM Studio: whether the model is loaded (Ollama loads it on `POST /api/generate`). */
  loaded?: boolean;
  /** Ollama: `PARAMETER num_ctx` of the model's Modelfile. */
  modelfileNumCtx?: number;
  /** llama.cpp: `--parallel`. */
  slots?: number;
}

export interface FlavourState {
  loaded: boolean;
}

type Answer = { status: number; body: unknown } | undefined;

/** The answer to a non-chat request, or undefined when this flavour has no such endpoint. */
export function flavourAnswer(
  options: FlavourOptions,
  state: FlavourState,
  model: string,
  method: string,
  path: string,
): Answer {
  const ctx = options.contextLength ?? 4096;
  switch (options.flavour) {
    case 'ollama':
      if (method === 'GET' && path === '/api/ps')
        return ok({
          models: state.loaded
            ? [
                {
                  name: model,
                  model,
                  size: 1,
                  digest: 'scripted',
                  expires_at: '',
                  size_vram: 0,
                  context_length: ctx,
                },
              ]
            : [],
        });
      if (method === 'POST' && path === '/api/show')
        return ok({
          parameters: options.modelfileNumCtx
            ? `num_ctx                        ${options.modelfileNumCtx}`
            : '',
          model_info: { 'granitehybrid.context_length': 1_048_576 },
        });
      if (method === 'POST' && path === '/api/generate') {
        state.loaded = true;
        return ok({ model, response: '', done: true, done_reason: 'load' });
      }
      return undefined;
    case 'llama.cpp':
      if (method === 'GET' && path === '/props')
        return ok({
          default_generation_settings: { id: 0, n_ctx: ctx, params: {} },
          total_slots: options.slots ?? 1,
          model_path: `/models/${model}.gguf`,
        });
      return undefined;
    case 'lm-studio':
      if (method === 'GET' && path === '/api/v0/models')
        return ok({
          object: 'list',
          data: [
            {
              id: model,
              object: 'model',
              type: 'llm',
              state: state.loaded ? 'loaded' : 'not-loaded',
              max_context_length: 131_072,
              ...(state.loaded ? { loaded_context_length: ctx } : {}),
            },
          ],
        });
      return undefined;
    default:
      return undefined;
  }
}

/** Extra fields of a `/v1/models` entry. */
export function flavourModelEntry(options: FlavourOptions): Record<string, unknown> {
  return options.flavour === 'vllm' ? { max_model_len: options.contextLength ?? 4096 } : {};
}

/** Usage (and llama.cpp's `timings`) as this flavour reports a prompt of which `cached` came from cache. */
export function flavourUsage(
  flavour: ServerFlavour | undefined,
  usage: WireUsage,
  cached: number | undefined,
): WireReport {
  if (cached === undefined || flavour === 'ollama' || flavour === 'lm-studio') return { usage };
  const details = { ...usage, prompt_tokens_details: { cached_tokens: cached } };
  if (flavour !== 'llama.cpp') return { usage: details };
  return {
    usage: details,
    timings: {
      cache_n: cached,
      prompt_n: usage.prompt_tokens - cached,
      prompt_ms: 1,
      predicted_n: usage.completion_tokens,
      predicted_ms: 1,
    },
  };
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}
