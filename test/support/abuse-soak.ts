/**
 * The abuse soak of issue 14, shared by the CI test (test/app/abuse-soak.int.test.ts) and the larger
 * bench (bench/intake/abuse-soak.ts): the real `conjecture serve --no-worker` as a child process on
 * loopback, a GitHub stand-in behind it, and thousands of concurrent raw-socket requests mixing
 * every way a client can misbehave with valid signed deliveries. Bounded in count and time: every
 * socket is destroyed by a deadline, and the server is stopped at the end.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/log.ts';
import { createSqliteJobQueue } from '../../src/jobs/sqlite/queue.ts';
import { WEBHOOK_PATH } from '../../src/server/index.ts';
import { addCalcRepo } from './calc-repo.ts';
import { startGitHubStandin } from './github/standin.ts';
import { examplePayload, pointAt, sign } from './github/webhooks.ts';
import { startServeProcess } from './serve-process.ts';

const SECRET = 'abuse-soak-secret';
/** Small enough that oversized bodies are cheap to send; the 25 MB default works the same way. */
export const SOAK_MAX_BYTES = 256 * 1024;
const HEADERS_TIMEOUT_MS = 10_000;
const BODY_TIMEOUT_MS = 10_000;
/** No socket outlives this; the soak stops by itself. */
const SOCKET_DEADLINE_MS = 60_000;

export const KINDS = [
  'valid',
  'aborted_upload',
  'reset_upload',
  'slow_headers',
  'slow_body',
  'oversized_declared',
  'oversized_streamed',
  'bad_signature',
  'unsigned',
  'malformed_json',
  'truncated_json',
  'odd_signed',
  'no_installation',
] as const;
export type Kind = (typeof KINDS)[number];

export interface SoakOptions {
  total: number;
  valid: number;
  /** Valid deliveries before and after the storm, for the latency baseline and the check after. */
  probes?: number;
}

export interface SoakReport {
  byKind: Record<Kind, number>;
  /** Replies by kind and status code (0: no reply, the connection was cut). */
  statuses: Record<Kind, Record<string, number>>;
  rssMb: { start: number; peak: number; after: number };
  validSent: number;
  validAcknowledged: number;
  validStored: number;
  /** Valid deliveries stored although their reply was not a 200, by the reply's status (0: cut). */
  storedUnacknowledged: Record<string, number>;
  /** Stored deliveries whose id is not one of the valid ones (must be 0). */
  strayStored: number;
  duplicateStored: number;
  latencyMs: { baselineP50: number; baselineP99: number; stormValidP99: number; afterP50: number };
  serverAlive: boolean;
  serverErrorLines: string[];
  seconds: number;
}

interface Shot {
  kind: Kind;
  id: string;
  status: number;
  ms: number;
}

export async function runAbuseSoak(options: SoakOptions): Promise<SoakReport> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'abuse-soak-'));
  const standin = await startGitHubStandin({ dir });
  standin.addIssue(addCalcRepo(standin), {
    title: 'add() subtracts',
    body: 'add(2, 3) is -1',
    user: 'reporter',
  });
  const payload = pointAt(
    examplePayload('issues', 'labeled'),
    { owner: 'octo', repo: 'calc', cloneUrl: standin.gitUrl('octo', 'calc'), issueNumber: 1 },
    { login: 'maintainer' },
  );
  payload.label.name = 'conjecture';
  const body = JSON.stringify(payload);
  const home = mkdtempSync(join(tmpdir(), 'abuse-soak-home-'));
  const serve = await startServeProcess({
    home,
    env: {
      APP_ID: '12345',
      WEBHOOK_SECRET: SECRET,
      CONJECTURE_GITHUB_API_URL: standin.url,
      CONJECTURE_SERVER_WEBHOOK_MAX_BYTES: String(SOAK_MAX_BYTES),
      CONJECTURE_SERVER_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      CONJECTURE_SERVER_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
    },
  });
  const errorLines = () =>
    serve
      .stderr()
      .split('\n')
      .filter((l) => /"level":(50|60)/.test(l));
  try {
    const rss = () => rssMb(serve.child.pid as number);
    const port = Number(new URL(serve.url).port);
    const fire = (kind: Kind, id: string) => shoot(port, kind, id, body);
    // Warm up, then the baseline: valid deliveries one at a time on a quiet server.
    for (let i = 0; i < 5; i++) await fire('valid', `warm-${i}`);
    const probes = options.probes ?? 20;
    const baseline: number[] = [];
    for (let i = 0; i < probes; i++) baseline.push((await fire('valid', `before-${i}`)).ms);
    const start = rss();
    let peak = start;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rss());
    }, 50);
    const plan = planShots(options);
    const shots = await Promise.all(plan.map((s) => fire(s.kind, s.id)));
    clearInterval(sampler);
    peak = Math.max(peak, rss());
    const after: number[] = [];
    for (let i = 0; i < probes; i++) after.push((await fire('valid', `after-${i}`)).ms);
    const afterRss = rss();
    const alive = serve.child.exitCode === null && (await healthy(serve.url));
    await serve.stop();
    const stored = await storedDeliveries(home);
    const validIds = new Set([
      ...Array.from({ length: 5 }, (_, i) => `warm-${i}`),
      ...Array.from({ length: probes }, (_, i) => `before-${i}`),
      ...Array.from({ length: probes }, (_, i) => `after-${i}`),
      ...plan.filter((s) => s.kind === 'valid').map((s) => s.id),
    ]);
    const counts = new Map<string, number>();
    for (const id of stored) counts.set(id, (counts.get(id) ?? 0) + 1);
    const validShots = shots.filter((s) => s.kind === 'valid');
    return {
      byKind: Object.fromEntries(KINDS.map((k) => [k, plan.filter((s) => s.kind === k).length])) as Record<
        Kind,
        number
      >,
      statuses: Object.fromEntries(
        KINDS.map((k) => [k, tally(shots.filter((s) => s.kind === k).map((s) => String(s.status)))]),
      ) as SoakReport['statuses'],
      rssMb: { start, peak, after: afterRss },
      validSent: validIds.size,
      validAcknowledged: validShots.filter((s) => s.status === 200).length + 5 + 2 * probes,
      validStored: [...validIds].filter((id) => counts.get(id) === 1).length,
      strayStored: [...counts.keys()].filter((id) => !validIds.has(id)).length,
      storedUnacknowledged: tally(
        validShots.filter((s) => s.status !== 200 && counts.has(s.id)).map((s) => String(s.status)),
      ),
      duplicateStored: [...counts.values()].filter((n) => n > 1).length,
      latencyMs: {
        baselineP50: percentile(baseline, 50),
        baselineP99: percentile(baseline, 99),
        stormValidP99: percentile(
          validShots.map((s) => s.ms),
          99,
        ),
        afterP50: percentile(after, 50),
      },
      serverAlive: alive,
      serverErrorLines: errorLines(),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await serve.stop();
    await standin.close();
  }
}

export function formatSoakReport(r: SoakReport): string {
  const kinds = KINDS.map((k) => {
    const replies = Object.entries(r.statuses[k])
      .map(([status, n]) => `${status === '0' ? 'cut' : status}:${n}`)
      .join(' ');
    return `  ${k.padEnd(20)} ${String(r.byKind[k]).padStart(5)}  (${replies})`;
  }).join('\n');
  return [
    `requests by kind, all at once (total ${Object.values(r.byKind).reduce((a, b) => a + b, 0)}); replies by status, cut = no reply:`,
    kinds,
    `RSS MB: start ${r.rssMb.start.toFixed(0)}, peak ${r.rssMb.peak.toFixed(0)} (+${(r.rssMb.peak - r.rssMb.start).toFixed(0)}), after ${r.rssMb.after.toFixed(0)} (+${(r.rssMb.after - r.rssMb.start).toFixed(0)})`,
    `valid deliveries: sent ${r.validSent}, acknowledged ${r.validAcknowledged}, stored exactly once ${r.validStored}, duplicates ${r.duplicateStored}, strays stored ${r.strayStored}; stored without a 200 (the reply was cut or late; a redelivery is de-duplicated): ${JSON.stringify(r.storedUnacknowledged)}`,
    `latency of valid deliveries ms: quiet p50 ${r.latencyMs.baselineP50.toFixed(1)} p99 ${r.latencyMs.baselineP99.toFixed(1)}; during the storm p99 ${r.latencyMs.stormValidP99.toFixed(1)}; right after p50 ${r.latencyMs.afterP50.toFixed(1)} (${(r.latencyMs.afterP50 / r.latencyMs.baselineP50).toFixed(2)}x quiet)`,
    `server alive: ${r.serverAlive}; error-level log lines: ${r.serverErrorLines.length}; ${r.seconds.toFixed(1)} s`,
  ].join('\n');
}

/** Kinds spread round-robin over the abuse, `valid` deliveries evenly among them, in a fixed order. */
function planShots(options: SoakOptions): { kind: Kind; id: string }[] {
  const abuse = KINDS.filter((k) => k !== 'valid');
  let a = 0;
  return Array.from({ length: options.total }, (_, i) => {
    const valid =
      Math.floor((i * options.valid) / options.total) !==
      Math.floor(((i + 1) * options.valid) / options.total);
    const kind = valid ? 'valid' : (abuse[a++ % abuse.length] as Kind);
    return { kind, id: `${kind}-${i}` };
  });
}

/** One request of `kind` on a raw socket; resolves with the reply's status (0: cut) and its time. */
function shoot(port: number, kind: Kind, id: string, validBody: string): Promise<Shot> {
  const started = performance.now();
  return new Promise((resolve) => {
    let answer = '';
    let done = false;
    const socket = connect(port, '127.0.0.1');
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      resolve({ kind, id, status, ms: performance.now() - started });
    };
    const deadline = setTimeout(finish, SOCKET_DEADLINE_MS);
    socket.setNoDelay(true);
    socket.on('data', (d) => {
      answer += d;
      // One reply is all we wait for; a reply with its whole body ends the shot.
      if (/\r\n\r\n/.test(answer)) {
        const length = Number(/content-length: (\d+)/i.exec(answer)?.[1] ?? 0);
        if (answer.length - answer.indexOf('\r\n\r\n') - 4 >= length) finish();
      }
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => void send(socket, kind, id, validBody).catch(finish));
  });
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(
  socket: import('node:net').Socket,
  kind: Kind,
  id: string,
  validBody: string,
): Promise<void> {
  const head = (length: number | 'chunked', signature: string | null, event = 'issues') =>
    `POST ${WEBHOOK_PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-type: application/json\r\n${
      length === 'chunked' ? 'transfer-encoding: chunked' : `content-length: ${length}`
    }\r\nx-github-event: ${event}\r\nx-github-delivery: ${id}\r\n${
      signature === null ? '' : `x-hub-signature-256: ${signature}\r\n`
    }\r\n`;
  const whole = (body: string, signature: string | null = sign(body, SECRET)) =>
    socket.write(head(Buffer.byteLength(body), signature) + body);
  const valid = validBody.replace('"action":"labeled"', `"action":"labeled","soak":"${id}"`);
  switch (kind) {
    case 'valid':
      return void whole(valid);
    case 'aborted_upload':
    case 'reset_upload': {
      socket.write(head(Buffer.byteLength(valid), sign(valid, SECRET)) + valid.slice(0, 200));
      await wait(100);
      if (kind === 'reset_upload') socket.resetAndDestroy();
      else socket.end();
      return;
    }
    case 'slow_headers':
      // A header line every half second, forever: the server's headers timeout must cut it.
      socket.write(`POST ${WEBHOOK_PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\n`);
      for (let i = 0; i < 100 && !socket.destroyed; i++) {
        await wait(500);
        socket.write(`x-slow-${i}: ${'a'.repeat(10)}\r\n`);
      }
      return;
    case 'slow_body':
      socket.write(head(Buffer.byteLength(valid), sign(valid, SECRET)));
      for (let i = 0; i < 100 && !socket.destroyed; i++) {
        await wait(500);
        socket.write(valid.slice(i * 10, i * 10 + 10));
      }
      return;
    case 'oversized_declared':
      return void socket.write(head(SOAK_MAX_BYTES * 4, sign('x', SECRET)) + valid);
    case 'oversized_streamed': {
      socket.write(head('chunked', sign('x', SECRET)));
      const chunk = 'x'.repeat(64 * 1024);
      for (let sent = 0; sent <= SOAK_MAX_BYTES * 2 && !socket.destroyed; sent += chunk.length)
        if (!socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`))
          await new Promise((r) => socket.once('drain', r).once('close', r));
      if (!socket.destroyed) socket.write('0\r\n\r\n');
      return;
    }
    case 'bad_signature':
      return void whole(valid, sign(valid, 'not-the-secret'));
    case 'unsigned':
      return void whole(valid, null);
    case 'malformed_json':
      return void whole(`{"action":"labeled",,${id}}`);
    case 'truncated_json':
      return void whole(valid.slice(0, Math.floor(valid.length / 2)));
    case 'odd_signed': {
      const odd = ['null', '{"action":"labeled"}', '', '[]', '"labeled"'];
      return void whole(odd[Number(id.split('-').at(-1)) % odd.length] as string);
    }
    case 'no_installation': {
      const repoHook = JSON.parse(valid);
      delete repoHook.installation;
      return void whole(JSON.stringify(repoHook));
    }
  }
}

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/healthz`).catch(() => null);
  return res?.status === 200;
}

async function storedDeliveries(home: string): Promise<string[]> {
  const queue = createSqliteJobQueue({
    path: join(home, '.conjecture', 'jobs.intake.sqlite'),
    limits: { perRepository: 1, perInstallation: 2 },
    logger: silentLogger(),
  });
  try {
    const { jobs } = await queue.list({ limit: 100_000 });
    return jobs.map((j) => (j.idempotencyKey ?? '').replace(/^delivery:/, ''));
  } finally {
    await queue.close();
  }
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function tally(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
