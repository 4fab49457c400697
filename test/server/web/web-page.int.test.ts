/**
 * The web page in a real browser (issue 5, must-show): headless Chromium from Debian signs in with
 * an API token, the job list shows a finished job with live status (the page's script ran and
 * polled), and the job's page renders its trace step by step — hostile trace text stays text.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.ts';
import type { TraceEvent } from '../../../src/core/trace.ts';
import type { JobQueue, JobRecord } from '../../../src/jobs/index.ts';
import { createSqliteJobQueue } from '../../../src/jobs/sqlite/queue.ts';
import { createPatchReader, createTraceReader } from '../../../src/server/api-queue.ts';
import { createApiServer, type ListeningServer } from '../../../src/server/api-server.ts';
import { hashApiToken } from '../../../src/server/auth.ts';
import { tempDir } from '../../cli/run-cli.ts';
import { describeIf, missingCommand } from '../../support/prereq.ts';
import { finishJobs } from '../finished-jobs.ts';
import { type Browser, launchChromium } from './chromium.ts';

const TOKEN = 'cjt_browser-test';
const at = '2026-11-28T10:00:00Z';
const usage = { promptTokens: 100, completionTokens: 20, estimated: false };
const TRACE: TraceEvent[] = [
  { type: 'start', at, taskId: 't', model: 'granite4:tiny-h', attempt: 1 },
  {
    type: 'step',
    at,
    step: 1,
    thought: 'Look at the source first.',
    command: 'cat src/calc.js',
    observation:
      'function add(a, b) {\n  return a - b;\n}\n<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">',
    exitCode: 0,
    timedOut: false,
    modelMs: 120,
    execMs: 15,
    usage,
  },
  {
    type: 'step',
    at,
    step: 2,
    thought: 'add subtracts; fix it.',
    command: "sed -i 's/a - b/a + b/' src/calc.js",
    observation: '',
    exitCode: 0,
    timedOut: false,
    modelMs: 90,
    execMs: 12,
    usage,
  },
  { type: 'end', at, exitStatus: 'submitted', patchBytes: 120 },
];

describeIf(missingCommand('chromium'), 'the web page in headless Chromium', () => {
  let queue: JobQueue;
  let server: ListeningServer;
  let browser: Browser;
  let done: JobRecord;

  beforeAll(async () => {
    const stateDir = tempDir('web-state-');
    queue = createSqliteJobQueue({ path: join(stateDir, 'jobs.sqlite'), logger: silentLogger() });
    [done] = (await finishJobs(queue, [
      {
        repo: 'octo/calc',
        title: 'add() subtracts <b>bold</b>',
        result: (job) => {
          const dir = join(stateDir, 'runs', job.id);
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, 'trace.jsonl'), TRACE.map((e) => JSON.stringify(e)).join('\n'));
          writeFileSync(join(dir, 'patch.diff'), '-  return a - b;\n+  return a + b;\n');
          return {
            exitStatus: 'validated',
            usage: { promptTokens: 200, completionTokens: 40 },
            traceLocation: `runs/${job.id}/trace.jsonl`,
          };
        },
      },
      { repo: 'octo/other', title: 'a failure', result: null },
    ])) as [JobRecord];
    server = await createApiServer({
      queue,
      logger: silentLogger(),
      tokenHashes: [hashApiToken(TOKEN)],
      readTrace: createTraceReader(stateDir),
      readPatch: createPatchReader(stateDir),
    }).listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close(1_000);
    await queue?.close();
  });

  it('signs in, lists the finished job with live status, and renders its trace step by step', async () => {
    await browser.goto(`${server.url}/jobs`);
    expect(await browser.evaluate('location.pathname')).toBe('/login');
    await browser.navigateBy(
      `document.querySelector('input[name=token]').value = ${JSON.stringify(TOKEN)}; document.querySelector('form[action="/login"]').submit()`,
    );
    expect(await browser.evaluate('location.pathname')).toBe('/jobs');
    // The poller ran: it marks the body once it has fetched the live status.
    await browser.waitFor("document.body.dataset.live === 'on'");
    const row = await browser.evaluate<string>(`document.querySelector('[data-job="${done.id}"]').innerText`);
    expect(row).toMatch(/succeeded/);
    expect(row).toContain('add() subtracts <b>bold</b>');
    expect(await browser.evaluate('document.querySelectorAll("#jobs tbody tr").length')).toBe(2);
    expect(await browser.evaluate('document.querySelectorAll(".chart svg rect.bar").length')).toBeGreaterThan(
      0,
    );

    await browser.navigateBy(`document.querySelector('a[href="/jobs/${done.id}"]').click()`);
    await browser.waitFor("document.body.dataset.live === 'on'");
    const steps = await browser.evaluate<{ step: string; command: string; exit: string }[]>(
      `[...document.querySelectorAll('.step')].map((s) => ({ step: s.dataset.step, command: s.querySelector('.command').innerText, exit: s.querySelector('.exit').innerText }))`,
    );
    expect(steps).toEqual([
      { step: '1', command: '$ cat src/calc.js', exit: 'exit 0' },
      { step: '2', command: "$ sed -i 's/a - b/a + b/' src/calc.js", exit: 'exit 0' },
    ]);
    const output = await browser.evaluate<string>("document.querySelector('.step .output').innerText");
    expect(output).toContain('<script>window.__pwned = 1</script>');
    expect(await browser.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await browser.evaluate("document.querySelector('.patch').innerText")).toContain(
      '+  return a + b;',
    );
  });
});
