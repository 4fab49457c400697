/**
 * The GitHub webhook request (`POST /api/github/webhooks`). Everything here is from the internet, so
 * nothing a request does can end the process (issue 14): the body is read under a hard size limit
 * and a deadline; its signature is checked here as well as in Probot, so a forged delivery is a 401
 * that never reaches a handler (THREATS.md #1); a signed body that is not a payload the app can read
 * is refused (400) or acknowledged and ignored (no installation). Each refusal is one warn line with
 * the delivery id and no stack, and a reply in the API's error shape. Only then does the request go
 * on to `deliver` (Probot's middleware) with the body as text.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/log.ts';
import { checkWebhookPayload } from '../github/webhook-payload.ts';
import { signatureMatches } from '../github/webhook-signature.ts';
import { HttpError, readBody, sendError, sendJson } from './http-io.ts';

export const WEBHOOK_PATH = '/api/github/webhooks';
/** GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub. */
export const DEFAULT_WEBHOOK_MAX_BYTES = 25 * 1024 * 1024;

export interface WebhookEndpointOptions {
  /** The app's webhook secret (`github.webhookSecret`). */
  secret: string;
  logger: Logger;
  /** Bodies over this are refused with 413 before more is read (`server.webhookMaxBytes`). */
  maxBytes?: number;
  /** The whole body must arrive within this (`server.bodyTimeoutMs`); a slower one is a 408. */
  bodyTimeoutMs?: number;
  /** Handles a verified delivery; the request's `body` holds the raw text. */
  deliver(req: IncomingMessage, res: ServerResponse): unknown;
  /** Once the reply is sent: the delivery id, the reply's status and how long the request took. */
  onReplied?(reply: { deliveryId: string; statusCode: number; seconds: number }): void;
}

export function isWebhookRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && req.url?.split('?')[0] === WEBHOOK_PATH;
}

/** GitHub's are UUIDs; anything of this shape is kept as the idempotency key, nothing longer. */
const DELIVERY_ID = /^[\w.-]{1,100}$/;

const SECRET_HINT =
  "check that WEBHOOK_SECRET is the secret set in the GitHub App's webhook settings (a redelivery from there shows the reply)";

export function createWebhookEndpoint(options: WebhookEndpointOptions) {
  return (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const deliveryId = headerOf(req, 'x-github-delivery').slice(0, 100);
    const event = headerOf(req, 'x-github-event').slice(0, 100);
    const log = options.logger.child({ deliveryId, event });
    res.once('finish', () =>
      options.onReplied?.({
        deliveryId,
        statusCode: res.statusCode,
        seconds: (performance.now() - started) / 1000,
      }),
    );
    return receive(req, res, log, options).catch((err: unknown) => {
      const refusal =
        err instanceof HttpError ? err : new HttpError(400, 'bad_request', 'the request could not be read');
      // Expected, and caused by the sender: one line, no stack. Anything else is ours: logged in full.
      if (err instanceof HttpError)
        log.warn(
          { status: refusal.status, code: refusal.code, ...(refusal.hint ? { hint: refusal.hint } : {}) },
          `webhook refused: ${refusal.message}`,
        );
      else log.error({ err }, 'webhook request failed');
      if (!res.headersSent && !res.destroyed) sendError(res, refusal);
    });
  };
}

async function receive(
  req: IncomingMessage,
  res: ServerResponse,
  log: Logger,
  options: WebhookEndpointOptions,
): Promise<void> {
  // Unsigned or not a GitHub delivery: refused before a byte of the body is read.
  const missing = ['x-github-event', 'x-github-delivery'].filter((h) => headerOf(req, h) === '');
  if (missing.length > 0)
    throw new HttpError(400, 'missing_headers', `a webhook needs ${missing.join(' and ')}`, {
      headers: { connection: 'close' },
    });
  if (!DELIVERY_ID.test(headerOf(req, 'x-github-delivery')))
    throw new HttpError(400, 'invalid_delivery_id', 'X-GitHub-Delivery is not a delivery id', {
      headers: { connection: 'close' },
    });
  const type = headerOf(req, 'content-type').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    throw new HttpError(415, 'unsupported_media_type', 'a webhook body must be application/json', {
      hint: "set the App's webhook content type to application/json",
      headers: { connection: 'close' },
    });
  if (!headerOf(req, 'x-hub-signature-256').startsWith('sha256='))
    throw new HttpError(401, 'signature_missing', 'the request has no X-Hub-Signature-256', {
      hint: SECRET_HINT,
      headers: { connection: 'close' },
    });
  const raw = await readBody(req, options.maxBytes ?? DEFAULT_WEBHOOK_MAX_BYTES, {
    timeoutMs: options.bodyTimeoutMs,
  });
  if (!signatureMatches(raw, req.headers['x-hub-signature-256'], options.secret))
    throw new HttpError(401, 'signature_mismatch', 'signature does not match', { hint: SECRET_HINT });
  const text = raw.toString('utf8');
  const checked = checkWebhookPayload(headerOf(req, 'x-github-event'), text);
  if (checked.kind === 'invalid')
    throw new HttpError(400, checked.code, checked.message, {
      ...(checked.issues ? { issues: checked.issues } : {}),
    });
  if (checked.kind === 'ignore') {
    log.warn(`webhook acknowledged and ignored: ${checked.why}`);
    sendJson(res, 200, { ok: true, ignored: checked.why });
    return;
  }
  (req as IncomingMessage & { body?: string }).body = text;
  await options.deliver(req, res);
}

function headerOf(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return typeof value === 'string' ? value : '';
}
