/**
 * The one port of `conjecture serve`: GitHub webhooks, the model endpoint under `/v1/` (when
 * served), `/healthz`, then the REST API and web page; anything else goes to `fallback`. Every
 * handler is given by the caller (src/cli/compose), so this module only routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/log.ts';
import { isWebhookRequest } from './webhook-endpoint.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface FrontHandlers {
  /** `POST /api/github/webhooks` (see webhook-endpoint.ts). */
  webhook: Handler;
  /** Answers true when the request was its own (the REST API, health, metrics, web page). */
  api: { handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> };
  /** The OpenAI-compatible model endpoint under `/v1/`; absent when the model is not served. */
  modelEndpoint?: Handler;
  /** Whatever nobody else took (Probot's middleware, which answers 404). */
  fallback: Handler;
  logger: Logger;
}

export function createFront(handlers: FrontHandlers) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (handlers.modelEndpoint && req.url?.startsWith('/v1/')) {
      void handlers.modelEndpoint(req, res);
      return;
    }
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (isWebhookRequest(req)) {
      void handlers.webhook(req, res);
      return;
    }
    void handlers.api.handle(req, res).then(
      (handled) => handled || handlers.fallback(req, res),
      (err) => {
        handlers.logger.error({ err }, 'API request failed');
        if (!res.headersSent) res.writeHead(500).end();
      },
    );
  };
}
