/**
 * `/metrics` covers issue 5, item 5: jobs by state and queue depth (read from the queue at scrape
 * time), job durations, tokens, model latency, sandbox exec latency, webhook intake latency. The
 * instrumented seams feed them; this checks each series appears with the right counts.
 */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/core/errors.ts';
import type { Sandbox, SandboxProvider, SandboxSpec } from '../../src/core/sandbox.ts';
import type { HandlerContext } from '../../src/jobs/types.ts';
import { createScriptedModel } from '../../src/model/scripted-model.ts';
import { instrumentJobHandler, instrumentModel, instrumentSandboxes } from '../../src/server/instrument.ts';
import { createConjectureMetrics } from '../../src/server/metrics.ts';
import { createFakeQueue } from './fake-queue.ts';

const SPEC: SandboxSpec = {
  image: 'conjecture-sandbox:0.1.0',
  hostWorkspace: '/tmp/none',
  workdir: '/workspace',
  network: false,
  purpose: 'agent',
  user: '1000:1000',
  limits: { memoryBytes: 1 << 30, cpus: 1, pids: 64, tmpfsBytes: 1 << 20 },
};

function fakeProvider(): SandboxProvider {
  return {
    kind: 'local',
    async create(_spec: SandboxSpec) {
      return {
        id: 's1',
        workdir: '/workspace',
        async exec(command) {
          if (command === 'explode') throw new Error('container gone');
          return {
            output: '',
            exitCode: 0,
            timedOut: command === 'sleep',
            truncated: false,
            elidedBytes: 0,
            durationMs: 1,
          };
        },
        async dispose() {},
      } satisfies Sandbox;
    },
  } satisfies SandboxProvider;
}

const ctx = (signal = new AbortController().signal): HandlerContext => ({
  signal,
  heartbeat: async () => {},
  progress: async () => {},
});

describe('instrumented seams feed /metrics', () => {
  it('counts model calls, tokens, sandbox commands, job durations and reads the queue at scrape time', async () => {
    const metrics = createConjectureMetrics({
      queue: async () => ({ byState: { queued: 2, running: 1, succeeded: 5 }, depth: 2 }),
    });
    const model = instrumentModel(
      createScriptedModel([
        { content: 'a', usage: { promptTokens: 100, completionTokens: 10 }, costUsd: 0.5 },
        { error: new ModelError('down', { code: 'model_unreachable' }) },
      ]),
      metrics,
    );
    expect(model.name).toBe('scripted');
    await model.complete([{ role: 'user', content: 'hi' }]);
    await expect(model.complete([{ role: 'user', content: 'hi' }])).rejects.toThrow('down');

    const box = await instrumentSandboxes(fakeProvider(), metrics).create(SPEC);
    await box.exec('true');
    await box.exec('sleep');
    await expect(box.exec('explode')).rejects.toThrow();

    const ok = instrumentJobHandler(async () => ({ exitStatus: 'validated' }), metrics);
    const bad = instrumentJobHandler(async () => {
      throw new Error('boom');
    }, metrics);
    const { job } = await createFakeQueue().enqueue({
      kind: 'fix',
      payload: {},
      idempotencyKey: 'k',
      repo: 'o/r',
    });
    await ok(job, ctx());
    await expect(bad(job, ctx())).rejects.toThrow('boom');
    const cancelled = new AbortController();
    cancelled.abort();
    await ok(job, ctx(cancelled.signal));
    metrics.observeWebhookIntake(0.002, 'accepted');

    const text = await metrics.registry.render();
    for (const line of [
      'conjecture_jobs{state="queued"} 2',
      'conjecture_jobs{state="succeeded"} 5',
      'conjecture_queue_depth 2',
      'conjecture_model_request_duration_seconds_count{outcome="ok"} 1',
      'conjecture_model_request_duration_seconds_count{outcome="error"} 1',
      'conjecture_model_tokens_total{kind="prompt"} 100',
      'conjecture_model_tokens_total{kind="completion"} 10',
      'conjecture_model_cost_usd_total 0.5',
      'conjecture_sandbox_exec_duration_seconds_count{outcome="ok"} 1',
      'conjecture_sandbox_exec_duration_seconds_count{outcome="timeout"} 1',
      'conjecture_sandbox_exec_duration_seconds_count{outcome="error"} 1',
      'conjecture_job_duration_seconds_count{state="succeeded"} 1',
      'conjecture_job_duration_seconds_count{state="failed"} 1',
      'conjecture_job_duration_seconds_count{state="cancelled"} 1',
      'conjecture_webhook_intake_duration_seconds_count{outcome="accepted"} 1',
    ])
      expect(text).toContain(line);
  });
});
