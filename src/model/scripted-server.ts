/**
 * A scripted OpenAI-compatible server on 127.0.0.1 for tests and benches: real HTTP, real SSE, the
 * same wire format as Ollama / vLLM / llama.cpp, so the production client is what gets tested.
 * Each chat completion request consumes the next turn; when the script runs out the server answers a
 * clear 500 (marked `x-should-retry: false`) so a test cannot pass by accident.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FlavourOptions, flavourAnswer, flavourModelEntry, flavourUsage } from './scripted-flavours.ts';
import { chatCompletionBody, streamChunks, type WireUsage } from './scripted-wire.ts';

export interface ScriptedToolCall {
  name: string;
  /** An object is JSON-encoded; a string is sent verbatim (so tests can send malformed JSON). */
  arguments: string | Record<string, unknown>;
}

export interface ScriptedTurn {
  content?: string;
  toolCalls?: ScriptedToolCall[];
  /** Defaults to `tool_calls` when there are tool calls, else `stop`. */
  finishReason?: string;
  /** `cachedTokens`: prompt tokens the server says it reused, reported the way its flavour does. */
  usage?: { promptTokens: number; completionTokens: number; cachedTokens?: number };
  /** Send no usage at all, as some local servers do. */
  omitUsage?: boolean;
  /** Wait before answering (abort and timeout tests). */
  delayMs?: number;
  /** An HTTP error status instead of a completion; `errorBody` is sent as JSON. */
  status?: number;
  errorBody?: unknown;
  headers?: Record<string, string>;
  /** Streaming only: drop the connection after this many chunks (a server that dies mid-reply). */
  breakAfterChunks?: number;
  /** Compute the turn from the request body (the returned turn's own `reply` is ignored). */
  reply?: (request: ChatRequestBody) => ScriptedTurn;
}

export interface ChatRequestBody {
  model?: string;
  messages?: { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: unknown[];
  [key: string]: unknown;
}

export interface ScriptedServerOptions extends FlavourOptions {
  turns: ScriptedTurn[];
  /** 0 (default) picks a free port. */
  port?: number;
  /** The one model the server knows; other names get Ollama's 404. Default `granite4:tiny-h`. */
  modelName?: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

export interface ScriptedServer {
  /** Base URL ending in `/v1`. */
  url: string;
  port: number;
  /** Parsed bodies of every chat completion request, in order (including rejected ones). */
  requests: ChatRequestBody[];
  /** Turns consumed so far. */
  readonly turnsUsed: number;
  /** `METHOD /path` of every request that was not a chat completion, in order. */
  otherRequests: string[];
  close(): Promise<void>;
}

export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const modelName = options.modelName ?? 'granite4:tiny-h';
  const requests: ChatRequestBody[] = [];
  const otherRequests: string[] = [];
  const flavourState = { loaded: options.loaded ?? true };
  let next = 0;
  const timers = new Set<NodeJS.Timeout>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendJson(res, 401, {
        error: {
          message: 'Incorrect API key provided',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
    }
    if (!(req.method === 'POST' && path === '/v1/chat/completions'))
      otherRequests.push(`${req.method} ${path}`);
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, {
        object: 'list',
        data: [
          { id: modelName, object: 'model', created: 0, owned_by: 'scripted', ...flavourModelEntry(options) },
        ],
      });
    }
    const other = flavourAnswer(options, flavourState, modelName, req.method ?? '', path ?? '');
    if (other) {
      if (req.method === 'POST') await readJson(req);
      return sendJson(res, other.status, other.body);
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
      return;
    }
    const body = await readJson(req);
    requests.push(body);
    if (body.model !== modelName) {
      // Ollama's shape for a model that was never pulled.
      return sendJson(res, 404, {
        error: {
          message: `model "${String(body.model)}" not found, try pulling it first`,
          type: 'api_error',
          param: null,
          code: null,
        },
      });
    }
    const scripted = options.turns[next];
    if (scripted === undefined) {
      const message = `scripted server: script exhausted (${options.turns.length} turns, this is request ${requests.length})`;
      return sendJson(
        res,
        500,
        { error: { message, type: 'script_exhausted' } },
        { 'x-should-retry': 'false' },
      );
    }
    next++;
    const turn = scripted.reply ? scripted.reply(body) : scripted;
    if (turn.delayMs) {
      const waited = await wait(turn.delayMs, res, timers);
      if (!waited) return; // the client went away
    }
    if (turn.status !== undefined && turn.status >= 400) {
      return sendJson(
        res,
        turn.status,
        turn.errorBody ?? { error: { message: `scripted ${turn.status}` } },
        turn.headers,
      );
    }
    const reported = turn.omitUsage
      ? undefined
      : flavourUsage(options.flavour, wireUsage(turn, body), turn.usage?.cachedTokens);
    if (body.stream) {
      const chunks = streamChunks(turn, modelName, body.stream_options?.include_usage ? reported : undefined);
      return writeStream(res, chunks, turn);
    }
    return sendJson(res, 200, chatCompletionBody(turn, modelName, reported), turn.headers);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 400, { error: { message: `scripted server: ${String(err)}` } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    get turnsUsed() {
      return next;
    },
    otherRequests,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function wireUsage(turn: ScriptedTurn, body: ChatRequestBody): WireUsage {
  // Without scripted numbers, a deterministic stand-in of roughly the right size.
  const prompt = turn.usage?.promptTokens ?? Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
  const completion = turn.usage?.completionTokens ?? Math.ceil((turn.content ?? '').length / 4) + 1;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

async function writeStream(res: ServerResponse, chunks: object[], turn: ScriptedTurn): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...turn.headers });
  for (const [i, chunk] of chunks.entries()) {
    if (i === turn.breakAfterChunks) {
      // Let the written chunks reach the client before the connection dies.
      await new Promise((resolve) => setTimeout(resolve, 20));
      res.socket?.destroy();
      return;
    }
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<ChatRequestBody> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as ChatRequestBody;
}

/** Resolves true after `ms`, or false as soon as the client disconnects. */
function wait(ms: number, res: ServerResponse, timers: Set<NodeJS.Timeout>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve(true);
    }, ms);
    timers.add(timer);
    res.once('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
      resolve(false);
    });
  });
}
