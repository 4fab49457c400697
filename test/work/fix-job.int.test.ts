/**
 * A `fix` job through the REST API, end to end: POST over real HTTP, a real worker (createWorker on
 * a SQLite queue) runs the pipeline in the real Docker sandbox against a repository served by
 * `git http-backend` on 127.0.0.1 and the scripted model server; GET shows the outcome, the patch
 * and the trace; a second job is cancelled while the model is thinking.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { Consumer, JobQueue } from '../../src/jobs/index.ts';
import { createSqliteJobQueue } from '../../src/jobs/sqlite/queue.ts';
import { createWorker } from '../../src/jobs/worker.ts';
import { createOpenAIModel } from '../../src/model/index.ts';
import {
  type ScriptedServer,
  type ScriptedTurn,
  startScriptedServer,
} from '../../src/model/scripted-server.ts';
import { createSandboxProvider } from '../../src/sandbox/index.ts';
import { createPatchReader, createTraceReader } from '../../src/server/api-queue.ts';
import { createApiServer, type ListeningServer } from '../../src/server/api-server.ts';
import { hashApiToken } from '../../src/server/auth.ts';
import { instrumentJobHandler, instrumentModel, instrumentSandboxes } from '../../src/server/instrument.ts';
import { createConjectureMetrics } from '../../src/server/metrics.ts';
import { createFixJobHandler } from '../../src/work/fix-job.ts';
import { createWorkspaceCache } from '../../src/workspace/index.ts';
import { CALC_ISSUE, FIX_ADD, makeCalcRepo } from '../support/calc-repo.ts';
import { serveGit } from '../support/github/git-backend.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';

const TOKEN = 'cjt_fix-job-test';
const bash = (thought: string, command: string): ScriptedTurn => ({
  content: `${thought}\n\`\`\`bash\n${command}\n\`\`\``,
});

describeIf(missingDocker(), 'REST fix jobs run by a worker', () => {
  let git: Server;
  let gitUrl: string;
  let model: ScriptedServer;
  let queue: JobQueue;
  let worker: Consumer;
  let api: ListeningServer;
  const metrics = createConjectureMetrics();

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fix-job-'));
    const projectRoot = join(dir, 'git');
    mkdirSync(join(projectRoot, 'octo'), { recursive: true });
    execFileSync('git', [
      'clone',
      '--quiet',
      '--bare',
      makeCalcRepo(),
      join(projectRoot, 'octo', 'calc.git'),
    ]);
    git = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      serveGit({
        req,
        res,
        projectRoot,
        pathInfo: url.pathname,
        query: url.search.slice(1),
        remoteUser: 'test',
      });
    });
    await new Promise<void>((resolve) => git.listen(0, '127.0.0.1', resolve));
    gitUrl = `http://127.0.0.1:${(git.address() as AddressInfo).port}/octo/calc.git`;
    model = await startScriptedServer({
      turns: [
        bash('Look at the code.', 'cat src/calc.js'),
        bash('add() subtracts; fix it.', FIX_ADD),
        bash('Run the tests.', 'npm test 2>&1 | tail -3'),
        bash('Done.', 'echo CONJECTURE_SUBMIT'),
        // The second job: the model takes long enough to be cancelled while it thinks.
        { ...bash('Thinking…', 'ls'), delayMs: 60_000 },
      ],
    });
    const { config } = loadConfig({
      env: { CONJECTURE_MODEL_BASE_URL: model.url, CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE },
    });
    const logger = silentLogger();
    const stateDir = join(dir, 'state');
    queue = createSqliteJobQueue({ path: join(stateDir, 'jobs.sqlite'), logger });
    worker = createWorker({
      queue,
      concurrency: 1,
      pollMs: 100,
      logger,
      handlers: {
        // Wired as `serve`/`worker` should: instrumented seams feed /metrics.
        fix: instrumentJobHandler(
          createFixJobHandler({
            config,
            logger,
            model: instrumentModel(createOpenAIModel(config.model, { logger }), metrics),
            sandboxes: instrumentSandboxes(createSandboxProvider(config, logger), metrics),
            workspace: createWorkspaceCache({ cacheDir: join(dir, 'cache'), logger }),
            stateDir,
          }),
          metrics,
        ),
      },
    });
    api = await createApiServer({
      queue,
      logger,
      tokenHashes: [hashApiToken(TOKEN)],
      readTrace: createTraceReader(stateDir),
      readPatch: createPatchReader(stateDir),
      metrics,
    }).listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await worker?.stop({ graceMs: 5_000 });
    await api?.close(1_000);
    await queue?.close();
    await model?.close();
    await new Promise((resolve) => git?.close(resolve));
  });

  const call = async (path: string, init: { method?: string; json?: unknown } = {}) => {
    const res = await fetch(`${api.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(init.json ? { 'content-type': 'application/json' } : {}),
      },
      body: init.json ? JSON.stringify(init.json) : undefined,
    });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  };
  const waitFor = async (
    id: string,
    done: (job: { state: string; progress: { phase: string } | null }) => boolean,
  ) => {
    for (let i = 0; i < 600; i++) {
      const job = (await call(`/api/v1/jobs/${id}`)).json();
      if (done(job)) return job;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`job ${id} did not get there in 150 s`);
  };

  it('runs a fix job to a validated patch, served with its trace', async () => {
    const [title, ...body] = CALC_ISSUE.split('\n');
    const created = await call('/api/v1/jobs', {
      method: 'POST',
      json: { repo: gitUrl, issue: { title, body: body.join('\n') } },
    });
    expect(created.status).toBe(201);
    const id = created.json().id;
    const job = await waitFor(id, (j) => j.state !== 'queued' && j.state !== 'running');
    expect(job).toMatchObject({ state: 'succeeded', repo: 'octo/calc', result: { exitStatus: 'validated' } });
    expect(job.usage.promptTokens).toBeGreaterThan(0);
    expect(job.links).toMatchObject({ trace: `/api/v1/jobs/${id}/trace`, patch: `/api/v1/jobs/${id}/patch` });

    const patch = await call(`/api/v1/jobs/${id}/patch`);
    expect(patch.status).toBe(200);
    expect(patch.text).toContain('+  return a + b;');
    const trace = await call(`/api/v1/jobs/${id}/trace`);
    const steps = trace.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'step');
    expect(steps.map((s) => s.command)).toEqual([
      'cat src/calc.js',
      FIX_ADD,
      'npm test 2>&1 | tail -3',
      'echo CONJECTURE_SUBMIT',
    ]);

    const scraped = await (await fetch(`${api.url}/metrics`)).text();
    expect(scraped).toMatch(/conjecture_job_duration_seconds_count\{state="succeeded"\} 1/);
    expect(scraped).toMatch(/conjecture_model_tokens_total\{kind="prompt"\} [1-9]/);
    expect(scraped).toMatch(/conjecture_model_request_duration_seconds_count\{outcome="ok"\} 4/);
    expect(scraped).toMatch(/conjecture_sandbox_exec_duration_seconds_count\{outcome="ok"\} [1-9]/);
  });

  it('cancels a running fix job: the worker stops it and the job ends cancelled', async () => {
    const created = await call('/api/v1/jobs', {
      method: 'POST',
      json: { repo: gitUrl, issue: { title: 'slow', body: 'the model will take its time' } },
    });
    const id = created.json().id;
    await waitFor(id, (j) => j.state === 'running' && j.progress?.phase === 'agent');
    const started = Date.now();
    const cancel = await call(`/api/v1/jobs/${id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    const job = await waitFor(id, (j) => j.state !== 'running');
    expect(job.state).toBe('cancelled');
    // Not the model's 60 s: the run was aborted.
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
