/**
 * The `eval` job (src/eval/eval-queue.ts enqueues it): runs one SWE-bench instance and returns
 * everything the run directory needs. An instance that throws is a crashed result line, not a
 * failed job; an interrupted one (cancel, lost lease, shutdown) is left to the queue.
 */
import { describeError, isAbortError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { crashedLine } from '../eval/agent-instance.ts';
import {
  type EvalRunSettings,
  encodeOutcome,
  evalJobPayloadSchema,
  type InstanceOutcome,
  type InstanceRunner,
} from '../eval/index.ts';
import type { JobHandler } from '../jobs/index.ts';

export function createEvalJobHandler(options: {
  runnerFor: (settings: EvalRunSettings) => InstanceRunner;
  logger: Logger;
}): JobHandler {
  return async (job, ctx) => {
    const { instance, ...settings } = evalJobPayloadSchema.parse(job.payload);
    const log = options.logger.child({ jobId: job.id, instance: instance.instance_id });
    const started = Date.now();
    let outcome: InstanceOutcome;
    try {
      await ctx.progress({ phase: 'agent', detail: instance.instance_id });
      outcome = await options.runnerFor(settings)(instance, { signal: ctx.signal, worker: job.id });
    } catch (err) {
      if (ctx.signal.aborted || isAbortError(err)) throw err;
      log.error({ err }, 'eval instance crashed');
      const why = describeError(err);
      outcome = {
        line: crashedLine(instance.instance_id, settings.label, why, Date.now() - started, job.id),
        patch: '',
        trace: '',
      };
    }
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted');
    return encodeOutcome({ ...outcome, line: { ...outcome.line, worker: job.id } });
  };
}
