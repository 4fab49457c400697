// bench/intake: how fast a webhook is acknowledged. `conjecture serve --no-worker` (embedded SQLite
// queue; the delivery is stored before the 200, then handled in the background against a local
// GitHub stand-in) against a bare Probot app that does nothing, both as child processes, in the same
// run, with the same signed `issues.labeled` deliveries from @octokit/webhooks-examples.
// Target (issue 5): p99 <= 2x the bare app. Run: node bench/intake/main.ts [requests] [concurrency]
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addCalcRepo } from '../../test/support/calc-repo.ts';
import { startGitHubStandin } from '../../test/support/github/standin.ts';
import { examplePayload, pointAt, sendWebhook } from '../../test/support/github/webhooks.ts';
import { summarize } from '../stats.ts';

const requests = Number(process.argv[2] ?? 400);
const concurrency = Number(process.argv[3] ?? 4);
const ROOT = join(import.meta.dirname, '..', '..');
const SECRET = 'bench-intake-secret';
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

const dir = mkdtempSync(join(tmpdir(), 'bench-intake-'));
const standin = await startGitHubStandin({ dir });
const repo = addCalcRepo(standin);
const ISSUES = 50;
for (let i = 1; i <= ISSUES; i++)
  standin.addIssue(repo, { title: `bug ${i}`, body: `b ${i}`, user: 'reporter' });

function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: mkdtempSync(join(tmpdir(), 'bench-intake-home-')),
      APP_ID: '12345',
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      CONJECTURE_GITHUB_API_URL: standin.url,
      CONJECTURE_MODEL_BASE_URL: 'http://127.0.0.1:9/v1',
      CONJECTURE_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${out}`)));
  });
}

const payload = (n: number) => {
  const p = pointAt(
    examplePayload('issues', 'labeled'),
    {
      owner: 'octo',
      repo: 'calc',
      cloneUrl: standin.gitUrl('octo', 'calc'),
      issueNumber: n,
      issue: repo.issues.get(n),
    },
    { login: 'maintainer' },
  );
  p.label.name = 'conjecture';
  return p;
};

/** `count` deliveries, `concurrency` at a time; per-request latency and the batch's throughput. */
async function batch(url: string, count: number): Promise<{ latencies: number[]; perSecond: number }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = (next++ % ISSUES) + 1;
        const t = performance.now();
        const res = await sendWebhook(`${url}/api/github/webhooks`, 'issues', payload(n), {
          secret: SECRET,
          deliveryId: randomUUID(),
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${url}: status ${res.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, perSecond: (count / (performance.now() - t0)) * 1000 };
}

const bare = await start(['bench/intake/bare-app.ts']);
const ours = await start(['bin/conjecture.js', 'serve', '--no-worker', '--port', '0', '--host', '127.0.0.1']);
try {
  await batch(bare.url, 40);
  await batch(ours.url, 40);
  // Alternate rounds so drift on a noisy machine hits both alike.
  const rounds = 4;
  const a = { latencies: [] as number[], rates: [] as number[] };
  const b = { latencies: [] as number[], rates: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const x = await batch(bare.url, requests / rounds);
    a.latencies.push(...x.latencies);
    a.rates.push(x.perSecond);
    const y = await batch(ours.url, requests / rounds);
    b.latencies.push(...y.latencies);
    b.rates.push(y.perSecond);
  }
  const sa = summarize(a.latencies);
  const sb = summarize(b.latencies);
  const rate = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  console.log(`${requests} signed deliveries each, ${concurrency} at a time, alternating rounds`);
  console.log(
    `bare Probot app        p50 ${sa.median.toFixed(2)} ms  p99 ${sa.p99.toFixed(2)} ms  ${rate(a.rates).toFixed(0)} req/s`,
  );
  console.log(
    `conjecture serve       p50 ${sb.median.toFixed(2)} ms  p99 ${sb.p99.toFixed(2)} ms  ${rate(b.rates).toFixed(0)} req/s`,
  );
  const ratio = sb.p99 / sa.p99;
  console.log(
    `p99 ratio ${ratio.toFixed(2)} (target <= 2), p50 ratio ${(sb.median / sa.median).toFixed(2)}, throughput ratio ${(rate(b.rates) / rate(a.rates)).toFixed(2)}`,
  );
  process.exitCode = ratio <= 2 ? 0 : 1;
} finally {
  bare.child.kill('SIGTERM');
  ours.child.kill('SIGTERM');
  await standin.close();
}
