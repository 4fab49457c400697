// bench/scale: how throughput and latency behave as load and workers grow, and what one job costs
// the control plane. The real app as child processes — `conjecture serve` with its in-process worker
// on the SQLite queue, and `conjecture serve --no-worker` plus N `conjecture worker` processes on
// Redis — against the GitHub stand-in (one small repository, a fresh issue per job, git over smart
// HTTP) and the scripted model server answering every reply after a fixed latency (a stand-in for a
// model server that serves requests concurrently). Signed `issues.labeled` webhooks arrive at a set
// rate for a window; then the bench waits a bounded time for the queue to drain.
//
// Printed per configuration: jobs per minute, webhook → draft PR (p50/p99), webhook acknowledge p99,
// queue wait (job created → started, p50/p99), the control plane's CPU-seconds per job (serve and
// worker processes; not the sandboxes, the model or the stand-in) and its peak RSS; then the scaling
// efficiency (throughput at N workers ÷ (N × throughput at 1 worker)) at the higher load.
//
// Run: node bench/scale.ts [--rate L] [--window S] [--drain S] [--latency MS] [--workers 1,2,4,8]
//      [--backends sqlite,redis] [--loads 1,10] [--full]
// Defaults fit in ~10 minutes on a 2-core machine: SQLite at every load, Redis at the highest load
// only (--full runs Redis at every load too). Needs Docker, the sandbox image and redis-server
// (scripts/setup.sh). Everything listens on 127.0.0.1; every process is stopped at the end.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type ChatRequestBody,
  type ScriptedTurn,
  startScriptedServer,
} from '../src/model/scripted-server.ts';
import { startRedisServer } from '../test/jobs/redis-server.ts';
import { CALC_FILES, FIX_ADD } from '../test/support/calc-repo.ts';
import { makeRepo } from '../test/support/git-repo.ts';
import { startGitHubStandin } from '../test/support/github/standin.ts';
import { examplePayload, pointAt, sendWebhook } from '../test/support/github/webhooks.ts';
import { SANDBOX_IMAGE } from '../test/support/prereq.ts';
import { percentile } from './stats.ts';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '12' },
    window: { type: 'string', default: '20' },
    drain: { type: 'string', default: '25' },
    latency: { type: 'string', default: '300' },
    workers: { type: 'string', default: '1,2,4,8' },
    backends: { type: 'string', default: 'sqlite,redis' },
    loads: { type: 'string', default: '1,10' },
    full: { type: 'boolean', default: false },
  },
});
const BASE_RATE = Number(args.rate); // issues per minute at load L
const WINDOW_S = Number(args.window);
const DRAIN_S = Number(args.drain);
const LATENCY_MS = Number(args.latency);
const WORKERS = args.workers.split(',').map(Number);
const BACKENDS = args.backends.split(',') as ('sqlite' | 'redis')[];
const LOADS = args.loads.split(',').map(Number);

const ROOT = join(import.meta.dirname, '..');
const SECRET = 'bench-scale-secret';
const API_TOKEN = randomBytes(16).toString('hex');
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

// The agent's fix, step by step; which step a request is at is read from the conversation itself, so
// any number of jobs can talk to the one server at once.
const SCRIPT = ['cat src/calc.js', FIX_ADD, 'npm test 2>&1 | tail -3', 'echo CONJECTURE_SUBMIT'].map(
  (command, i) => `Step ${i + 1}.\n\`\`\`bash\n${command}\n\`\`\``,
);
const reply = (request: ChatRequestBody): ScriptedTurn => {
  const done = (request.messages ?? []).filter((m) => m.role === 'assistant').length;
  return { content: SCRIPT[Math.min(done, SCRIPT.length - 1)], delayMs: LATENCY_MS };
};

const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
const standin = await startGitHubStandin({ dir });
const repo = standin.addRepo({
  owner: 'octo',
  name: 'calc',
  sourceDir: makeRepo(CALC_FILES),
  permissions: { maintainer: 'write' },
});
const model = await startScriptedServer({
  turns: Array.from({ length: 100_000 }, () => ({ reply })),
});

interface Proc {
  child: ChildProcess;
  url?: string;
}

function clock(): number {
  return performance.now();
}

function start(argv: string[], env: Record<string, string>, waitFor: RegExp): Promise<Proc> {
  const child = spawn(process.execPath, ['bin/conjecture.js', ...argv], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${argv.join(' ')} did not start: ${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = waitFor.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      if (out.length < 20_000) out += d;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(' ')} exited with ${code}: ${out.slice(-2000)}`));
    });
  });
}

/** CPU seconds (user + system) and peak RSS (MiB) of a process, from /proc. */
function usage(pid: number): { cpuS: number; peakMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuS: ticks / 100, peakMiB: hwm / 1024 };
}

interface Row {
  backend: string;
  load: number;
  workers: number;
  sent: number;
  done: number;
  perMinute: number;
  prP50: number;
  prP99: number;
  ackP99: number;
  waitP50: number;
  waitP99: number;
  cpuPerJob: number;
  peakMiB: number;
}

let nextIssue = 1;

async function runConfig(backend: 'sqlite' | 'redis', load: number, workers: number): Promise<Row> {
  const home = mkdtempSync(join(tmpdir(), 'bench-scale-home-'));
  const env: Record<string, string> = {
    HOME: home,
    APP_ID: '12345',
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: SECRET,
    CONJECTURE_GITHUB_API_URL: standin.url,
    CONJECTURE_MODEL_BASE_URL: model.url,
    CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE,
    CONJECTURE_LOG_LEVEL: 'warn',
    CONJECTURE_SERVER_API_TOKEN_HASHES: createHash('sha256').update(API_TOKEN).digest('hex'),
    // One repository: let every worker run on it, and let nothing be rate limited.
    CONJECTURE_QUEUE_PER_REPOSITORY: String(workers),
    CONJECTURE_QUEUE_PER_INSTALLATION: String(workers),
    CONJECTURE_RATE_LIMIT_PER_INSTALLATION_PER_HOUR: '100000',
    CONJECTURE_RATE_LIMIT_PER_USER_PER_HOUR: '100000',
    CONJECTURE_GITHUB_CHECK_RUN: 'false',
    CONJECTURE_GITHUB_REQUEST_REVIEW: 'false',
  };
  // A redis-server of its own per configuration: nothing queued in the last one is left over.
  const redis = backend === 'redis' ? await startRedisServer() : null;
  if (redis) {
    env.CONJECTURE_QUEUE_BACKEND = 'redis';
    env.CONJECTURE_QUEUE_REDIS_URL = redis.url;
  }
  const procs: Proc[] = [];
  const listening = /listening on (http:\/\/\S+)/;
  try {
    if (backend === 'sqlite') {
      procs.push(
        await start(
          ['serve', '--port', '0', '--host', '127.0.0.1'],
          { ...env, CONJECTURE_QUEUE_CONCURRENCY: String(workers) },
          listening,
        ),
      );
    } else {
      procs.push(await start(['serve', '--no-worker', '--port', '0', '--host', '127.0.0.1'], env, listening));
      for (let i = 0; i < workers; i++)
        procs.push(
          await start(['worker'], { ...env, CONJECTURE_QUEUE_CONCURRENCY: '1' }, /worker consuming/),
        );
    }
    const url = procs[0]?.url ?? '';
    const before = procs.map((p) => usage(p.child.pid ?? 0).cpuS);
    const perMinute = BASE_RATE * load;
    const count = Math.max(1, Math.round((perMinute * WINDOW_S) / 60));
    const sentAt = new Map<number, number>();
    const prAt = new Map<number, number>();
    const acks: number[] = [];
    const t0 = clock();
    const watcher = setInterval(() => {
      for (const pull of repo.pulls.values()) {
        const n = Number(/^conjecture\/issue-(\d+)-/.exec(pull.head)?.[1]);
        if (sentAt.has(n) && !prAt.has(n)) prAt.set(n, clock());
      }
    }, 100);
    const sends: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const due = t0 + (i * 60_000) / perMinute;
      await new Promise((r) => setTimeout(r, Math.max(0, due - clock())));
      const { number } = standin.addIssue(repo, {
        title: `bug ${nextIssue}`,
        body: 'add() subtracts',
        user: 'reporter',
      });
      nextIssue += 1;
      const payload = pointAt(
        examplePayload('issues', 'labeled'),
        {
          owner: 'octo',
          repo: 'calc',
          cloneUrl: standin.gitUrl('octo', 'calc'),
          issueNumber: number,
          issue: repo.issues.get(number),
        },
        { login: 'maintainer' },
      );
      payload.label.name = 'conjecture';
      const t = clock();
      sentAt.set(number, t);
      sends.push(
        sendWebhook(`${url}/api/github/webhooks`, 'issues', payload, {
          secret: SECRET,
          deliveryId: randomUUID(),
        }).then(async (res) => {
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
          acks.push(clock() - t);
        }),
      );
    }
    await Promise.all(sends);
    const deadline = clock() + DRAIN_S * 1000;
    while (prAt.size < count && clock() < deadline) await new Promise((r) => setTimeout(r, 200));
    clearInterval(watcher);
    const elapsedMin = (Math.max(...prAt.values(), t0) - t0) / 60_000;
    const after = procs.map((p) => usage(p.child.pid ?? 0));
    const cpu = after.reduce((s, u, i) => s + u.cpuS - (before[i] ?? 0), 0);
    const jobs = await listJobs(url);
    const waits = jobs
      .filter((j) => j.startedAt)
      .map((j) => Date.parse(j.startedAt ?? '') - Date.parse(j.createdAt));
    const pr = [...prAt].map(([n, at]) => at - (sentAt.get(n) ?? at)).sort((a, b) => a - b);
    const sortedAcks = acks.sort((a, b) => a - b);
    const sortedWaits = waits.sort((a, b) => a - b);
    return {
      backend,
      load,
      workers,
      sent: count,
      done: prAt.size,
      perMinute: elapsedMin > 0 ? prAt.size / elapsedMin : 0,
      prP50: percentile(pr, 50) / 1000,
      prP99: percentile(pr, 99) / 1000,
      ackP99: percentile(sortedAcks, 99),
      waitP50: percentile(sortedWaits, 50) / 1000,
      waitP99: percentile(sortedWaits, 99) / 1000,
      cpuPerJob: prAt.size > 0 ? cpu / prAt.size : Number.NaN,
      peakMiB: after.reduce((s, u) => s + u.peakMiB, 0),
    };
  } finally {
    for (const p of procs) p.child.kill('SIGKILL');
    await redis?.stop();
  }
}

async function listJobs(url: string): Promise<{ createdAt: string; startedAt: string | null }[]> {
  const jobs: { createdAt: string; startedAt: string | null }[] = [];
  let before: string | undefined;
  for (let page = 0; page < 20; page++) {
    const query = `limit=200${before ? `&before=${encodeURIComponent(before)}` : ''}`;
    const res = await fetch(`${url}/api/v1/jobs?${query}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    if (!res.ok) throw new Error(`GET /api/v1/jobs answered ${res.status}`);
    const body = (await res.json()) as {
      jobs: { createdAt: string; startedAt: string | null }[];
      nextBefore?: string | null;
    };
    jobs.push(...body.jobs);
    if (!body.nextBefore) break;
    before = body.nextBefore;
  }
  return jobs;
}

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const started = clock();
const rows: Row[] = [];
console.log(
  `bench/scale: ${BASE_RATE}/min at load L, window ${WINDOW_S} s, drain ≤ ${DRAIN_S} s, model latency ${LATENCY_MS} ms per reply, ${SCRIPT.length} replies per job`,
);
console.log(
  '| backend | load | workers | sent | PRs | jobs/min | webhook→PR p50 / p99 (s) | ack p99 (ms) | queue wait p50 / p99 (s) | CPU-s per job | peak RSS (MiB) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
try {
  for (const backend of BACKENDS)
    for (const load of LOADS)
      for (const workers of WORKERS) {
        if (
          backend === 'redis' &&
          load !== Math.max(...LOADS) &&
          LOADS.length > 1 &&
          process.env.SCALE_FULL !== '1'
        )
          continue;
        const r = await runConfig(backend, load, workers);
        rows.push(r);
        console.log(
          `| ${r.backend} | ${r.load}L | ${r.workers} | ${r.sent} | ${r.done} | ${f(r.perMinute)} | ${f(r.prP50)} / ${f(r.prP99)} | ${f(r.ackP99)} | ${f(r.waitP50)} / ${f(r.waitP99)} | ${f(r.cpuPerJob, 2)} | ${f(r.peakMiB, 0)} |`,
        );
      }
  console.log('\nscaling efficiency at the highest load (throughput at N ÷ (N × throughput at 1)):');
  for (const backend of BACKENDS) {
    const top = rows.filter((r) => r.backend === backend && r.load === Math.max(...LOADS));
    const one = top.find((r) => r.workers === 1)?.perMinute ?? Number.NaN;
    console.log(
      `  ${backend}: ${top.map((r) => `${r.workers}→${f(r.perMinute / (r.workers * one), 2)}`).join('  ')}`,
    );
  }
  console.log(`\nwall time ${f((clock() - started) / 60_000, 1)} min`);
} finally {
  await model.close();
  await standin.close();
}
