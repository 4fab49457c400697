/**
 * Feeds `/metrics` (issue 5, item 5) without the agent, sandbox or queue knowing about metrics:
 * wrappers around the seams the CLI wires together. The model wrapper observes each completion's
 * latency and tokens, the sandbox wrapper each command's latency, the handler wrapper each job's
 * duration by final state. Wrap once, where the parts are built (`serve`, `worker`).
 */
import type { Model } from '../core/model.ts';
import type { Sandbox, SandboxProvider } from '../core/sandbox.ts';
import type { JobHandler } from '../jobs/types.ts';
import type { ConjectureMetrics } from './metrics.ts';

const seconds = (started: number) => (performance.now() - started) / 1000;

export function instrumentModel(model: Model, metrics: ConjectureMetrics): Model {
  return {
    get name() {
      return model.name;
    },
    get contextWindow() {
      return model.contextWindow;
    },
    ...(model.ready ? { ready: (signal: AbortSignal) => model.ready!(signal) } : {}),
    async complete(messages, options) {
      const started = performance.now();
      try {
        const completion = await model.complete(messages, options);
        metrics.observeModelCall(seconds(started), 'ok');
        metrics.addTokens(
          completion.usage.promptTokens,
          completion.usage.completionTokens,
          completion.costUsd,
        );
        return completion;
      } catch (err) {
        metrics.observeModelCall(seconds(started), 'error');
        throw err;
      }
    },
  };
}

function instrumentSandbox(sandbox: Sandbox, metrics: ConjectureMetrics): Sandbox {
  return {
    id: sandbox.id,
    workdir: sandbox.workdir,
    async exec(command, options) {
      const started = performance.now();
      try {
        const result = await sandbox.exec(command, options);
        metrics.observeSandboxExec(seconds(started), result.timedOut ? 'timeout' : 'ok');
        return result;
      } catch (err) {
        metrics.observeSandboxExec(seconds(started), 'error');
        throw err;
      }
    },
    dispose: () => sandbox.dispose(),
  };
}

export function instrumentSandboxes(provider: SandboxProvider, metrics: ConjectureMetrics): SandboxProvider {
  return {
    kind: provider.kind,
    create: async (spec) => instrumentSandbox(await provider.create(spec), metrics),
  };
}

/**
 * A job's wall time by how its handler ended: `succeeded` (a result), `cancelled` (its signal
 * fired), or `failed` (it threw). A shutdown hand-back also aborts the signal and counts as
 * cancelled here; the job's later run is observed again.
 */
export function instrumentJobHandler(handler: JobHandler, metrics: ConjectureMetrics): JobHandler {
  return async (job, ctx) => {
    const started = performance.now();
    try {
      const result = await handler(job, ctx);
      metrics.observeJobFinished(ctx.signal.aborted ? 'cancelled' : 'succeeded', seconds(started));
      return result;
    } catch (err) {
      metrics.observeJobFinished(ctx.signal.aborted ? 'cancelled' : 'failed', seconds(started));
      throw err;
    }
  };
}
