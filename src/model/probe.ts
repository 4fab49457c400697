/**
 * A quick health check of the model endpoint for `conjecture doctor` and readiness probes: is the
 * server up, and does it serve the configured model? Outcomes are data; the error carries the hint.
 */

import { ModelError } from '../core/errors.ts';
import { type Logger, silentLogger } from '../core/log.ts';
import { createOpenAIClient } from './client.ts';
import { toModelError } from './errors.ts';
import type { ModelSettings, OpenAIModelDeps } from './openai-model.ts';

export interface ProbeResult {
  ok: boolean;
  /** Model ids the server lists (empty when it could not be reached). */
  models: string[];
  error?: ModelError;
}

export async function probeModelEndpoint(
  settings: ModelSettings,
  deps: Pick<OpenAIModelDeps, 'fetch'> & { timeoutMs?: number; logger?: Logger } = {},
): Promise<ProbeResult> {
  const timeoutMs = deps.timeoutMs ?? 5_000;
  const client = createOpenAIClient(settings, {
    logger: deps.logger ?? silentLogger(),
    timeoutMs,
    fetch: deps.fetch,
  });
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const models: string[] = [];
    for await (const m of client.models.list({ signal: deadline })) models.push(m.id);
    // Ollama resolves an untagged name to `:latest`.
    if (models.includes(settings.name) || models.includes(`${settings.name}:latest`))
      return { ok: true, models };
    return {
      ok: false,
      models,
      error: new ModelError(
        `model "${settings.name}" is not served by ${settings.baseUrl} (it has: ${models.join(', ') || 'none'})`,
        {
          code: 'model_not_found',
          hint: `ollama pull ${settings.name} (or set model.name to one of the listed models)`,
        },
      ),
    };
  } catch (err) {
    const ctx = { baseUrl: settings.baseUrl, model: settings.name, timeoutMs, timedOut: deadline.aborted };
    return { ok: false, models: [], error: toModelError(err, ctx) };
  }
}
