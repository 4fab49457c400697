/**
 * The bash-only agent loop, in the spirit of mini-swe-agent's DefaultAgent: the model answers with
 * one shell command, the command runs in the sandbox, the output goes back, until the model
 * submits or a limit is reached. Each step is query → parse → execute → observe, and the limits are
 * checked between steps. Everything that can go wrong in the conversation is data (an exit
 * status); only infrastructure failures (sandbox gone, model unreachable after retries) throw.
 */
import { parseReply } from './actions.ts';
import { execute, observe, reject } from './observe.ts';
import { query } from './query.ts';
import {
  type AgentInput,
  type AgentResult,
  checkLimits,
  finish,
  type RunState,
  type Stop,
  startRun,
} from './run-state.ts';

export type { AgentInput, AgentResult } from './run-state.ts';

export async function runAgent(input: AgentInput): Promise<AgentResult> {
  const run = startRun(input);
  for (;;) {
    const stop = checkLimits(run) ?? (await step(run));
    if (stop) return finish(run, stop);
  }
}

/** One step; `null` to go on. */
async function step(run: RunState): Promise<Stop | null> {
  const reply = await query(run);
  if (reply === null || 'exitStatus' in reply) return reply;
  const action = parseReply(reply.completion, run.input.settings.actionFormat);
  if (!action.ok) return reject(run, reply.completion, action.problem);
  run.formatErrorsInRow = 0;
  const executed = await execute(run, action);
  if ('exitStatus' in executed) return executed;
  return observe(run, reply, action, executed);
}
