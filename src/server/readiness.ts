/**
 * `/readyz`: can this process do work now? Each dependency (queue, Docker, model endpoint) is one
 * check, all run in parallel, each bounded by a timeout so a hung dependency answers "not ready"
 * rather than hanging the probe. `/healthz` (liveness) deliberately checks nothing outside the process.
 */
import { request } from 'node:http';
import type { z } from 'zod';
import type { Model } from '../core/model.ts';
import type { readinessSchema } from './schemas.ts';

export interface ReadinessCheck {
  name: string;
  /** Resolves (optionally with a detail) when ready; rejects with the reason otherwise. */
  check(signal: AbortSignal): Promise<string | undefined>;
}

/** The `/readyz` body (its schema is in schemas.ts, where the OpenAPI description reads it). */
export type ReadinessReport = z.infer<typeof readinessSchema>;
type CheckResult = ReadinessReport['checks'][number];

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

/**
 * The run's model, whichever provider serves it (`auto` included): a server must list its models,
 * an embedded model must still be loaded. A model without a probe (a test double) is not checked.
 */
export function modelReadiness(model: Pick<Model, 'ready'>): ReadinessCheck | undefined {
  const ready = model.ready?.bind(model);
  return ready ? { name: 'model', check: (signal) => ready(signal) } : undefined;
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
