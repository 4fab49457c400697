/**
 * Usage as a server reports it, including how much of the prompt it served from its cache. Each
 * server says it its own way, and only what a server says is recorded (never an estimate):
 * - OpenAI, vLLM (`--enable-prompt-tokens-details`), recent llama.cpp:
 *   `usage.prompt_tokens_details.cached_tokens`;
 * - llama.cpp server: a `timings` object beside `usage` with `cache_n` (tokens reused) and
 *   `prompt_n` (tokens evaluated); older builds send only `prompt_n`;
 * - Ollama's OpenAI endpoint sends only `prompt_tokens` (its `prompt_eval_count`), so the split is
 *   unknown there and stays absent.
 * Everything here is parsed defensively: a server is outside input.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();

const usageSchema = z.looseObject({
  prompt_tokens: count,
  completion_tokens: count,
  prompt_tokens_details: z.looseObject({ cached_tokens: count.optional() }).nullish(),
});

const timingsSchema = z.looseObject({ cache_n: count.optional(), prompt_n: count.optional() });

export interface ReportedUsage {
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens?: number;
}

export function readReportedUsage(usage: unknown, timings?: unknown): ReportedUsage | undefined {
  const u = usageSchema.safeParse(usage);
  if (!u.success) return undefined;
  const { prompt_tokens: promptTokens, completion_tokens: completionTokens } = u.data;
  const cached = u.data.prompt_tokens_details?.cached_tokens ?? cachedFromTimings(timings, promptTokens);
  return {
    promptTokens,
    completionTokens,
    ...(cached !== undefined ? { cachedPromptTokens: Math.min(cached, promptTokens) } : {}),
  };
}

function cachedFromTimings(timings: unknown, promptTokens: number): number | undefined {
  const t = timingsSchema.safeParse(timings);
  if (!t.success) return undefined;
  if (t.data.cache_n !== undefined) return t.data.cache_n;
  // Builds without `cache_n`: what was not evaluated came from the cache.
  if (t.data.prompt_n !== undefined && t.data.prompt_n <= promptTokens) return promptTokens - t.data.prompt_n;
  return undefined;
}
