/**
 * `/readyz`: can this process do work now? Each dependency (queue, Docker, model endpoint) is one
 * check, all run in parallel, each bounded by a timeout so a hung dependency answers "not ready"
 * rather than hanging the probe. `/healthz` (liveness) deliberately checks nothing outside the process.
 */
import { request } from 'node:http';

export interface ReadinessCheck {
  name: string;
  /** Resolves (optionally with a detail) when ready; rejects with the reason otherwise. */
  check(signal: AbortSignal): Promise<string | undefined>;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: CheckResult[];
}

export async function runReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = 3_000,
): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map((c) => runOne(c, timeoutMs)));
  return { ready: results.every((r) => r.ok), checks: results };
}

async function runOne(c: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const detail = await Promise.race([c.check(controller.signal), timeout]);
    return { name: c.name, ok: true, ms: elapsed(started), ...(detail ? { detail } : {}) };
  } catch (err) {
    return {
      name: c.name,
      ok: false,
      ms: elapsed(started),
      error: err instanceof Error ? err.message : String(err),
    };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/** Docker answers `GET /_ping` with `OK` on its unix socket. */
export function dockerReadiness(socketPath: string): ReadinessCheck {
  return {
    name: 'docker',
    check: (signal) =>
      new Promise((resolve, reject) => {
        const req = request({ socketPath, path: '/_ping', method: 'GET', signal }, (res) => {
          res.resume();
          if (res.statusCode === 200) resolve(undefined);
          else reject(new Error(`Docker answered /_ping with HTTP ${res.statusCode}`));
        });
        req.on('error', (err: NodeJS.ErrnoException) =>
          reject(new Error(`Docker is not reachable at ${socketPath} (${err.code ?? err.message})`)),
        );
        req.end();
      }),
  };
}

/** An OpenAI-compatible server lists its models at `GET {baseUrl}/models`. */
export function modelEndpointReadiness(
  baseUrl: string,
  options: { apiKey?: string; fetch?: typeof fetch } = {},
): ReadinessCheck {
  const doFetch = options.fetch ?? fetch;
  const url = `${baseUrl.replace(/\/+$/, '')}/models`;
  return {
    name: 'model',
    async check(signal) {
      const headers: Record<string, string> = options.apiKey
        ? { authorization: `Bearer ${options.apiKey}` }
        : {};
      let res: Response;
      try {
        res = await doFetch(url, { signal, headers });
      } catch (err) {
        throw new Error(`model endpoint ${url} is not reachable: ${(err as Error).message}`);
      }
      await res.body?.cancel();
      if (!res.ok) throw new Error(`model endpoint ${url} answered HTTP ${res.status}`);
      return undefined;
    },
  };
}

/** Any dependency with a cheap call that throws when it is down, e.g. the queue's `stats()`. */
export function functionReadiness(
  name: string,
  probe: (signal: AbortSignal) => Promise<unknown>,
): ReadinessCheck {
  return {
    name,
    async check(signal) {
      await probe(signal);
      return undefined;
    },
  };
}
