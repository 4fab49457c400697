/**
 * Turns what the OpenAI SDK throws into a `ModelError` whose `code` the agent can act on and whose
 * `hint` tells the operator what to do. Classification is by error class and HTTP status; two
 * cases cannot be told apart by status alone and look at the server's message: a 404 for a model
 * that was never pulled (Ollama) versus a wrong URL, and a 400 that means the context overflowed.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { ModelError } from '../core/errors.ts';

export interface ErrorContext {
  baseUrl: string;
  model: string;
  timeoutMs: number;
  /** Our own deadline fired (the SDK only sees an abort). */
  timedOut?: boolean;
}

const CONTEXT_OVERFLOW =
  /context.?(length|size|window)|maximum context|exceed_context_size|too many tokens|prompt is too long|context overflow/i;
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function unreachableHint(baseUrl: string): string {
  const ollama = /:11434(\/|$)/.test(baseUrl) ? 'start Ollama: `ollama serve`; or ' : '';
  return `${ollama}start the model server, or set model.baseUrl (CONJECTURE_MODEL_BASE_URL) to a running OpenAI-compatible endpoint ending in /v1`;
}

export function toModelError(err: unknown, ctx: ErrorContext): ModelError {
  if (err instanceof ModelError) return err;
  const where = ctx.baseUrl;
  if (ctx.timedOut || err instanceof APIConnectionTimeoutError) {
    return new ModelError(`model request to ${where} timed out after ${ctx.timeoutMs} ms`, {
      code: 'timeout',
      retryable: true,
      hint: 'raise model.requestTimeoutMs, lower model.maxTokens, or use a faster model/server',
      cause: err,
    });
  }
  const reason = connectionCode(err);
  if (err instanceof APIConnectionError || reason) {
    return new ModelError(`cannot reach the model endpoint ${where}${reason ? ` (${reason})` : ''}`, {
      code: 'endpoint_unreachable',
      retryable: true,
      hint: unreachableHint(where),
      cause: err,
    });
  }
  // An error event inside a stream has no status; the server failed after it started answering.
  if (err instanceof APIError) return fromStatus(err, err.status ?? 500, ctx);
  const message = err instanceof Error ? err.message : String(err);
  return new ModelError(`model request to ${where} failed: ${message}`, { code: 'model_error', cause: err });
}

function fromStatus(err: APIError, status: number, ctx: ErrorContext): ModelError {
  const detail = `${ctx.baseUrl} answered ${err.message}`;
  const override = err.headers?.get('x-should-retry');
  const retry = (fallback: boolean) => (override === 'true' ? true : override === 'false' ? false : fallback);
  if (status === 401 || status === 403)
    return new ModelError(`model endpoint refused the credentials: ${detail}`, {
      code: 'auth_failed',
      hint: `check model.apiKey (CONJECTURE_MODEL_API_KEY) for ${ctx.baseUrl}`,
      cause: err,
    });
  if (status === 404) {
    if (/model/i.test(err.message))
      return new ModelError(`model "${ctx.model}" not found: ${detail}`, {
        code: 'model_not_found',
        hint: `ollama pull ${ctx.model} (or set model.name to one listed by GET ${ctx.baseUrl}/models)`,
        cause: err,
      });
    return new ModelError(`no Chat Completions API at ${ctx.baseUrl}: ${detail}`, {
      code: 'endpoint_not_found',
      hint: 'model.baseUrl must be the API root ending in /v1, e.g. http://127.0.0.1:11434/v1',
      cause: err,
    });
  }
  if (
    (status === 400 || status === 413 || status === 422 || err.status === undefined) &&
    (err.code === 'context_length_exceeded' || CONTEXT_OVERFLOW.test(err.message))
  )
    return new ModelError(`the prompt does not fit the model's context: ${detail}`, {
      code: 'context_overflow',
      hint: "shorten the conversation, or raise the server's context size and model.contextWindow together",
      cause: err,
    });
  if (status === 429)
    return new ModelError(`model endpoint is rate limiting: ${detail}`, {
      code: 'rate_limited',
      retryable: retry(true),
      hint: 'wait, or lower the worker concurrency',
      cause: err,
    });
  if (status === 408 || status === 409 || status >= 500)
    return new ModelError(`model server error: ${detail}`, {
      code: 'server_error',
      retryable: retry(true),
      hint: 'check the model server logs',
      cause: err,
    });
  return new ModelError(`model endpoint rejected the request: ${detail}`, {
    code: 'bad_request',
    retryable: retry(false),
    cause: err,
  });
}

/** The socket error code (ECONNREFUSED, ...) somewhere in the cause chain, or '' if none. */
function connectionCode(err: unknown): string {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return code;
  }
  return '';
}

/** The server's requested wait, from `retry-after-ms` or `retry-after` (seconds or HTTP date). */
export function retryAfterMs(err: unknown, now = Date.now()): number | undefined {
  const cause = err instanceof ModelError ? err.cause : err;
  const headers = cause instanceof APIError ? cause.headers : undefined;
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
