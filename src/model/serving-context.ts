/**
 * The context length a local server really serves the model with, read where each server says it
 * (issue 15): a server silently drops the start of a longer prompt — the system prompt and the
 * issue — so the agent's budget must follow the server, not a number the user had to guess.
 * - Ollama: `GET /api/ps` lists loaded models with `context_length`; a model not loaded yet gets a
 *   Modelfile's `num_ctx` (`POST /api/show` `parameters`), else `OLLAMA_CONTEXT_LENGTH` or Ollama's
 *   default (4096 below 24 GiB of VRAM) — which only loading it tells (`POST /api/generate` with
 *   no prompt loads a model).
 * - llama.cpp server: `GET /props` `default_generation_settings.n_ctx` (one slot's context).
 * - LM Studio: `GET /api/v0/models`, `loaded_context_length` of a loaded model.
 * - vLLM: `GET /v1/models`, `max_model_len` (which `conjecture model serve` reports too, as
 *   `owned_by: conjecture`).
 * Every answer is parsed defensively (a server is outside input) and every request is bounded.
 */
import { z } from 'zod';

export type ServerKind = 'Ollama' | 'llama.cpp' | 'LM Studio' | 'vLLM' | 'conjecture model serve';

export interface ServingContext {
  server: ServerKind;
  /** Tokens the server serves this model with; absent when it cannot tell yet. */
  tokens?: number;
  /** Where the figure came from, e.g. `GET /api/ps`. */
  source: string;
  /** What is known when `tokens` is absent, or a caveat. */
  note?: string;
}

export interface DetectOptions {
  fetch?: typeof fetch;
  /** Per request; default 3 s. */
  timeoutMs?: number;
  /** Ollama: load a model that is not loaded yet to learn its context (a run loads it anyway). */
  loadModel?: boolean;
  /** Bound on that load; default 120 s. */
  loadTimeoutMs?: number;
}

interface Target {
  baseUrl: string;
  name: string;
  apiKey?: string;
}

const tokens = z.number().int().positive();
const ollamaPs = z.object({
  models: z.array(
    z.looseObject({
      name: z.string().optional(),
      model: z.string().optional(),
      context_length: z.unknown().optional(),
    }),
  ),
});
const ollamaShow = z.looseObject({ parameters: z.string().optional() });
const llamaProps = z.looseObject({
  default_generation_settings: z.looseObject({ n_ctx: tokens }),
  total_slots: z.number().int().optional(),
});
const lmStudioModels = z.object({
  data: z.array(
    z.looseObject({
      id: z.string(),
      state: z.string().optional(),
      max_context_length: z.number().optional(),
      loaded_context_length: z.unknown().optional(),
    }),
  ),
});
const vllmModels = z.object({
  data: z.array(
    z.looseObject({
      id: z.string(),
      owned_by: z.unknown().optional(),
      max_model_len: z.unknown().optional(),
    }),
  ),
});

/** The serving context of `target`, or undefined when the server is none of the four above. */
export async function detectServingContext(
  target: Target,
  options: DetectOptions = {},
): Promise<ServingContext | undefined> {
  const http = createHttp(target, options);
  // Each probe answers only for its own server; the first in this order that recognises it wins.
  const found = await Promise.all([
    probeOllama(http, target.name, options),
    probeLlamaCpp(http),
    probeLmStudio(http, target.name),
    probeVllm(http, target.name),
  ]);
  return found.find((f) => f !== undefined);
}

interface Http {
  get(path: string, root?: boolean): Promise<unknown>;
  post(path: string, body: unknown, timeoutMs?: number): Promise<unknown>;
}

function createHttp(target: Target, options: DetectOptions): Http {
  const doFetch = options.fetch ?? fetch;
  const base = target.baseUrl.replace(/\/+$/, '');
  // Ollama, llama.cpp and LM Studio answer their own API beside /v1, at the server's root.
  const root = base.replace(/\/v1$/, '');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  const request = async (url: string, init: RequestInit, timeoutMs: number) => {
    try {
      const res = await doFetch(url, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) {
        await res.body?.cancel();
        return undefined;
      }
      return (await res.json()) as unknown;
    } catch {
      // Not this server, or not answering: the probe simply does not recognise it.
      return undefined;
    }
  };
  const timeoutMs = options.timeoutMs ?? 3_000;
  return {
    get: (path, atRoot = true) => request(`${atRoot ? root : base}${path}`, { method: 'GET' }, timeoutMs),
    post: (path, body, ms = timeoutMs) =>
      request(`${root}${path}`, { method: 'POST', body: JSON.stringify(body) }, ms),
  };
}

/** Ollama resolves an untagged name to `:latest`. */
function sameOllamaModel(a: string | undefined, name: string): boolean {
  if (!a) return false;
  const tagged = (n: string) => (n.includes(':') ? n : `${n}:latest`);
  return tagged(a) === tagged(name);
}

async function probeOllama(http: Http, name: string, options: DetectOptions) {
  const loaded = async () => {
    const ps = ollamaPs.safeParse(await http.get('/api/ps'));
    if (!ps.success) return undefined;
    const entry = ps.data.models.find((m) => sameOllamaModel(m.name, name) || sameOllamaModel(m.model, name));
    const ctx = tokens.safeParse(entry?.context_length);
    return { isOllama: true, tokens: ctx.success ? ctx.data : undefined };
  };
  const first = await loaded();
  if (!first) return undefined;
  if (first.tokens) return ollama(first.tokens, 'GET /api/ps');
  if (options.loadModel) {
    // An empty prompt only loads the model (Ollama's API docs, "Load a model").
    await http.post('/api/generate', { model: name, stream: false }, options.loadTimeoutMs ?? 120_000);
    const after = await loaded();
    if (after?.tokens) return ollama(after.tokens, 'GET /api/ps, after loading the model');
  }
  const show = ollamaShow.safeParse(await http.post('/api/show', { model: name }));
  const numCtx = show.success
    ? /(?:^|\n)\s*num_ctx\s+(\d+)/.exec(show.data.parameters ?? '')?.[1]
    : undefined;
  if (numCtx && Number(numCtx) > 0) return ollama(Number(numCtx), "the Modelfile's num_ctx (POST /api/show)");
  return {
    server: 'Ollama' as const,
    source: 'GET /api/ps',
    note: `${name} is not loaded yet; Ollama will serve it with OLLAMA_CONTEXT_LENGTH, or by default 4096 tokens on machines with under 24 GiB of VRAM`,
  };
}

function ollama(n: number, source: string): ServingContext {
  return { server: 'Ollama', tokens: n, source };
}

async function probeLlamaCpp(http: Http): Promise<ServingContext | undefined> {
  const props = llamaProps.safeParse(await http.get('/props'));
  if (!props.success) return undefined;
  const slots = props.data.total_slots;
  return {
    server: 'llama.cpp',
    tokens: props.data.default_generation_settings.n_ctx,
    source: 'GET /props default_generation_settings.n_ctx',
    ...(slots && slots > 1
      ? { note: `each of its ${slots} slots (--parallel) gets this share of --ctx-size` }
      : {}),
  };
}

async function probeLmStudio(http: Http, name: string): Promise<ServingContext | undefined> {
  const list = lmStudioModels.safeParse(await http.get('/api/v0/models'));
  if (!list.success) return undefined;
  const entry = list.data.data.find((m) => m.id === name);
  const loadedCtx = tokens.safeParse(entry?.loaded_context_length);
  if (entry?.state === 'loaded' && loadedCtx.success)
    return {
      server: 'LM Studio',
      tokens: loadedCtx.data,
      source: 'GET /api/v0/models loaded_context_length',
    };
  return {
    server: 'LM Studio',
    source: 'GET /api/v0/models',
    note: entry
      ? `${name} is not loaded yet; LM Studio loads it with its default context length unless loaded with \`lms load --context-length\``
      : `LM Studio does not list ${name}`,
  };
}

async function probeVllm(http: Http, name: string): Promise<ServingContext | undefined> {
  const list = vllmModels.safeParse(await http.get('/models', false));
  if (!list.success) return undefined;
  const entry = list.data.data.find((m) => m.id === name);
  const len = tokens.safeParse(entry?.max_model_len);
  if (!len.success) return undefined;
  const server = entry?.owned_by === 'conjecture' ? 'conjecture model serve' : 'vLLM';
  return { server, tokens: len.data, source: 'GET /v1/models max_model_len' };
}
