/**
 * The two backends behind one face, so the same integration suite runs against both
 * (`describe.each(BACKENDS)`). Every test opens a fresh namespace: a new SQLite file, or a new Redis
 * key prefix on the suite's redis-server. Timings are short so a run takes seconds, not minutes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClaimLimits } from '../../src/jobs/types.ts';
import { missingCommand } from '../support/prereq.ts';
import { type QueueSpec, TIMING } from './queue-spec.ts';
import { type RedisServer, startRedisServer } from './redis-server.ts';

export interface Harness {
  name: 'sqlite' | 'redis';
  missing: string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A spec for a fresh, empty namespace. */
  fresh(limits?: Partial<ClaimLimits>): QueueSpec;
}

const DEFAULT_LIMITS: ClaimLimits = { perRepository: 10, perInstallation: 10 };
let counter = 0;

function sqliteHarness(): Harness {
  let dir = '';
  return {
    name: 'sqlite',
    missing: null,
    async start() {
      dir = mkdtempSync(join(tmpdir(), 'conjecture-jobs-'));
    },
    async stop() {
      rmSync(dir, { recursive: true, force: true });
    },
    fresh: (limits) => ({
      backend: 'sqlite',
      path: join(dir, `q${++counter}.sqlite`),
      limits: { ...DEFAULT_LIMITS, ...limits },
    }),
  };
}

function redisHarness(): Harness {
  let server: RedisServer | null = null;
  return {
    name: 'redis',
    missing: missingCommand('redis-server'),
    async start() {
      server = await startRedisServer();
    },
    async stop() {
      await server?.stop();
    },
    fresh(limits) {
      if (!server) throw new Error('redis harness not started');
      return {
        backend: 'redis',
        url: server.url,
        prefix: `t${++counter}`,
        limits: { ...DEFAULT_LIMITS, ...limits },
      };
    },
  };
}

export const BACKENDS: Harness[] = [sqliteHarness(), redisHarness()];

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits `ms`, or rejects with the signal's reason when it fires first. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

/** Runs fixtures/worker-child.ts on the spec; resolves once the child says it started `jobId`. */
export function spawnChildWorker(spec: QueueSpec): { child: ChildProcess; started: Promise<string> } {
  const script = join(import.meta.dirname, 'fixtures', 'worker-child.ts');
  const child = spawn(process.execPath, [script, JSON.stringify(spec), String(TIMING.leaseMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /started (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`child worker exited (${code ?? signal}) before starting`)),
    );
  });
  return { child, started };
}

export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

export { openFromSpec, type QueueSpec, TIMING } from './queue-spec.ts';

/** Queues and consumers opened by one test, closed after it whatever happened. */
export function createCleanup() {
  const tasks: (() => Promise<unknown>)[] = [];
  return {
    add<T>(task: () => Promise<unknown>, value: T): T {
      tasks.push(task);
      return value;
    },
    async run() {
      for (const task of tasks.splice(0).reverse()) await task().catch(() => undefined);
    },
  };
}
