/**
 * Serves a `Model` (the embedded one) as an OpenAI-compatible endpoint on node:http, so workers on
 * other machines use one loaded model through the ordinary client: GET /v1/models and
 * POST /v1/chat/completions, streamed (SSE, text sent as it is generated) or not. Tool-call replies
 * are sent whole at the end: their grammar output is JSON, not text a client should show.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { isAbortError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { ChatMessage, Completion, Model, Role, ToolSpec } from '../../core/model.ts';
import { chatCompletionBody, streamChunks, type WireReport } from '../scripted-wire.ts';

export interface EndpointOptions {
  model: Model;
  host?: string;
  port?: number;
  logger: Logger;
  /** Checks the Authorization header; absent means no auth (loopback use). */
  authorize?: (header: string | undefined) => boolean;
}

export interface Endpoint {
  /** Base URL ending in /v1. */
  url: string;
  close(): Promise<void>;
}

/** What a chat completion request may hold; anything else is a 400 naming the field. */
const wireMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.unknown().optional(),
  tool_calls: z
    .array(
      z.object({
        id: z.string().optional(),
        function: z.object({ name: z.string().optional(), arguments: z.string().optional() }).optional(),
      }),
    )
    .optional(),
  tool_call_id: z.string().optional(),
});
type WireMessage = z.infer<typeof wireMessageSchema>;

const chatBodySchema = z.object({
  model: z.string().optional(),
  messages: z.array(wireMessageSchema).min(1, 'messages must be a non-empty array'),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
  tools: z
    .array(
      z.object({
        function: z
          .object({
            name: z.string().optional(),
            description: z.string().optional(),
            parameters: z.record(z.string(), z.unknown()).optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  temperature: z.number().optional(),
  max_tokens: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
});
type ChatBody = z.infer<typeof chatBodySchema>;

/** A 32K-token conversation is well under 1 MB; anything near this is not a chat request. */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** A request the endpoint refuses with a 4xx, in OpenAI's error shape. */
class RequestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Other machines cannot reach these; anywhere else the model must sit behind bearer tokens. */
export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

export type EndpointHandlerOptions = Pick<EndpointOptions, 'model' | 'logger' | 'authorize'>;

/**
 * The endpoint as a request handler, for a server of its own (`startModelEndpoint`, `conjecture model
 * serve`) or mounted under `/v1/` beside the app (`conjecture serve --serve-model`).
 */
export function createModelEndpointHandler(
  options: EndpointHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { model, logger } = options;
  const log = logger.child({ component: 'model-endpoint' });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (options.authorize && !options.authorize(req.headers.authorization))
      return sendError(res, 401, 'missing or unknown bearer token', 'invalid_api_key');
    if (req.method === 'GET' && path === '/v1/models')
      return sendJson(res, 200, {
        object: 'list',
        // max_model_len as vLLM reports it: a worker elsewhere sizes its agent's budget from it.
        data: [
          {
            id: model.name,
            object: 'model',
            created: 0,
            owned_by: 'conjecture',
            max_model_len: model.contextWindow,
          },
        ],
      });
    if (req.method !== 'POST' || path !== '/v1/chat/completions')
      return sendError(res, 404, `no route ${req.method} ${path}`, 'not_found');
    const body = await readChatBody(req);
    if (body.model && body.model !== model.name)
      return sendError(
        res,
        404,
        `model "${body.model}" not found (this endpoint serves ${model.name})`,
        'model_not_found',
      );
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const tools = toTools(body.tools);
    const streamText = body.stream === true && tools.length === 0;
    if (streamText) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      writeEvent(res, chunk(model.name, { role: 'assistant', content: '' }));
    }
    const completion = await model.complete(toMessages(body.messages), {
      signal: controller.signal,
      tools,
      temperature: body.temperature,
      maxTokens: body.max_tokens,
      seed: body.seed,
      onToken: streamText ? (text) => writeEvent(res, chunk(model.name, { content: text })) : undefined,
    });
    const turn = toTurn(completion);
    const usage = { usage: wireUsage(completion) };
    if (!body.stream) return sendJson(res, 200, chatCompletionBody(turn, model.name, usage));
    const tail = streamChunks(turn, model.name, body.stream_options?.include_usage ? usage : undefined);
    if (!streamText) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    // Text was already streamed: send only the finish and usage chunks.
    for (const c of streamText ? tail.filter(isTail) : tail) writeEvent(res, c);
    res.end('data: [DONE]\n\n');
  };

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (isAbortError(err)) return void res.destroy();
      if (err instanceof RequestError) {
        log.warn({ status: err.status, code: err.code }, `chat completion refused: ${err.message}`);
        if (!res.headersSent) sendError(res, err.status, err.message, err.code);
        // The rest of an oversized body is not read: close the connection once the answer is out.
        if (err.status === 413) res.once('finish', () => req.destroy());
        return;
      }
      log.warn({ err }, 'chat completion failed');
      if (!res.headersSent) sendError(res, 500, (err as Error).message, 'server_error');
      else res.destroy();
    });
  };
}

export async function startModelEndpoint(options: EndpointOptions): Promise<Endpoint> {
  const server = createServer(createModelEndpointHandler(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/v1`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toMessages(wire: WireMessage[]): ChatMessage[] {
  return wire.map((m) => {
    const message: ChatMessage = { role: m.role as Role, content: textOf(m.content) };
    if (m.tool_calls?.length)
      message.toolCalls = m.tool_calls.map((c, i) => ({
        id: c.id ?? `call_${i}`,
        name: c.function?.name ?? '',
        arguments: c.function?.arguments ?? '',
      }));
    if (m.tool_call_id) message.toolCallId = m.tool_call_id;
    return message;
  });
}

/** Content may be a string or an array of parts; only text parts matter here. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((p) => (typeof p?.text === 'string' ? (p.text as string) : '')).join('');
  return '';
}

function toTools(tools: ChatBody['tools']): ToolSpec[] {
  return (tools ?? []).flatMap((t) =>
    t.function?.name
      ? [
          {
            name: t.function.name,
            description: t.function.description ?? '',
            parameters: t.function.parameters ?? {},
          },
        ]
      : [],
  );
}

function toTurn(c: Completion) {
  return {
    content: c.message.content,
    toolCalls: c.message.toolCalls?.map((t) => ({ name: t.name, arguments: t.arguments })),
    finishReason: c.finishReason,
  };
}

function wireUsage(c: Completion): WireReport['usage'] {
  const { promptTokens, completionTokens, cachedPromptTokens } = c.usage;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    // As OpenAI and llama.cpp report it, so a worker elsewhere records the cache too.
    ...(cachedPromptTokens !== undefined
      ? { prompt_tokens_details: { cached_tokens: cachedPromptTokens } }
      : {}),
  };
}

function chunk(model: string, delta: object) {
  return {
    id: 'chatcmpl-embedded',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
  };
}

/** The finish-reason chunk (empty delta) and the usage chunk (no choices). */
function isTail(c: object): boolean {
  const choices = (c as { choices: { delta: object; finish_reason: unknown }[] }).choices;
  return choices.length === 0 || choices[0]?.finish_reason != null;
}

function writeEvent(res: ServerResponse, data: object): void {
  res.write(`data: ${JSON.stringify(data)}\n\n`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, message: string, code: string): void {
  sendJson(res, status, { error: { message, type: code, code } });
}

/** Reads at most MAX_REQUEST_BYTES; an aborted upload or a body that is not a chat request throws. */
async function readChatBody(req: IncomingMessage): Promise<ChatBody> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES)
    throw new RequestError(413, 'request_too_large', `the request is larger than ${MAX_REQUEST_BYTES} bytes`);
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of req) {
      size += (part as Buffer).length;
      if (size > MAX_REQUEST_BYTES)
        throw new RequestError(
          413,
          'request_too_large',
          `the request is larger than ${MAX_REQUEST_BYTES} bytes`,
        );
      parts.push(part as Buffer);
    }
  } catch (err) {
    if (err instanceof RequestError) throw err;
    throw new RequestError(400, 'request_aborted', 'the request body did not arrive whole');
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch (err) {
    throw new RequestError(
      400,
      'invalid_request_error',
      `the request body is not valid JSON: ${(err as Error).message}`,
    );
  }
  const parsed = chatBodySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new RequestError(
      400,
      'invalid_request_error',
      `${where}${issue?.message ?? 'not a chat completion request'}`,
    );
  }
  return parsed.data;
}
