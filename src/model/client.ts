/**
 * The one place the `openai` SDK client is built. Everything it would otherwise pick up from the
 * environment (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_ORG_ID, OPENAI_LOG, ...) is set explicitly,
 * because only src/config reads the environment; its log lines go to our logger, not the console.
 */
import OpenAI from 'openai';
import type { Logger } from '../core/log.ts';
import type { ModelSettings, OpenAIModelDeps } from './openai-model.ts';

/** Local servers ignore the key, but the SDK refuses to start without one. */
const PLACEHOLDER_API_KEY = 'not-needed';

export function createOpenAIClient(
  settings: Pick<ModelSettings, 'baseUrl' | 'apiKey'>,
  options: { logger: Logger; timeoutMs: number; fetch?: OpenAIModelDeps['fetch'] },
): OpenAI {
  const log = options.logger;
  return new OpenAI({
    baseURL: settings.baseUrl,
    apiKey: settings.apiKey || PLACEHOLDER_API_KEY,
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    // We retry ourselves (see openai-model.ts).
    maxRetries: 0,
    timeout: options.timeoutMs,
    logLevel: 'warn',
    logger: {
      error: (msg, ...rest) => log.error({ sdk: rest }, msg),
      warn: (msg, ...rest) => log.warn({ sdk: rest }, msg),
      info: (msg, ...rest) => log.info({ sdk: rest }, msg),
      debug: (msg, ...rest) => log.debug({ sdk: rest }, msg),
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
