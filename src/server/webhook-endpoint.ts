/**
 * The GitHub webhook request (`POST /api/github/webhooks`): the raw body is read, its signature
 * checked here as well as in Probot so a forged delivery is a 401 that never reaches a handler
 * (THREATS.md #1), then the request goes on to `deliver` (Probot's middleware) with the body as
 * text. What a delivery means is decided after that, in src/app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signatureMatches } from '../github/webhook-signature.ts';
import { readBody } from './http-io.ts';

export const WEBHOOK_PATH = '/api/github/webhooks';

export interface WebhookEndpointOptions {
  /** The app's webhook secret (`github.webhookSecret`). */
  secret: string;
  /** Handles a verified delivery; the request's `body` holds the raw text. */
  deliver(req: IncomingMessage, res: ServerResponse): unknown;
  /** Once the reply is sent: the delivery id, the reply's status and how long the request took. */
  onReplied?(reply: { deliveryId: string; statusCode: number; seconds: number }): void;
}

export function isWebhookRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && req.url?.split('?')[0] === WEBHOOK_PATH;
}

export function createWebhookEndpoint(options: WebhookEndpointOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const deliveryId = String(req.headers['x-github-delivery'] ?? '');
    res.once('finish', () =>
      options.onReplied?.({
        deliveryId,
        statusCode: res.statusCode,
        seconds: (performance.now() - started) / 1000,
      }),
    );
    void readBody(req).then((raw) => {
      if (!signatureMatches(raw, req.headers['x-hub-signature-256'], options.secret)) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"error":"signature does not match"}');
        return;
      }
      (req as IncomingMessage & { body?: string }).body = raw.toString('utf8');
      void options.deliver(req, res);
    });
  };
}
