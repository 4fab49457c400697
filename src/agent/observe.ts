/** After the model replied: run its command and show the result, or tell it what was wrong. */
import type { Completion } from '../core/model.ts';
import type { ExecResult } from '../core/sandbox.ts';
import type { ParsedAction } from './actions.ts';
import { formatObservation } from './observation.ts';
import { type Problem, problemText } from './problems.ts';
import { type Prompts, render, renderFragment, SUBMIT_SENTINEL } from './prompts.ts';
import { observationCap, type Reply } from './query.ts';
import { CANCELLED, now, type RunState, type Stop } from './run-state.ts';

type Action = Extract<ParsedAction, { ok: true }>;

export interface Executed {
  result: ExecResult;
  execMs: number;
}

export async function execute(run: RunState, action: Action): Promise<Executed | Stop> {
  const { sandbox, settings, signal } = run.input;
  run.input.onStep?.({ step: run.steps, max: settings.stepLimit, command: action.command });
  const started = performance.now();
  const result = await sandbox.exec(action.command, {
    timeoutMs: settings.commandTimeoutMs,
    maxOutputBytes: settings.maxObservationChars * 4,
    signal,
  });
  if (signal?.aborted) return CANCELLED;
  return { result, execMs: performance.now() - started };
}

/** Appends the observation; a submit on a changed tree (or the second one) ends the run. */
export async function observe(
  run: RunState,
  reply: Reply,
  action: Action,
  executed: Executed,
): Promise<Stop | null> {
  const { result } = executed;
  const { commandTimeoutMs } = run.input.settings;
  let observation = formatObservation(run.prompts, result, observationCap(run), commandTimeoutMs);
  if (isSubmit(result)) {
    if (await acceptSubmit(run)) {
      emitStep(run, reply, action, executed, observation);
      // A feedback round continues this conversation; an unanswered tool call would make it invalid.
      answerToolCalls(run, reply.completion, observation);
      return { exitStatus: 'submitted' };
    }
    observation = run.prompts['submit-empty'];
  }
  emitStep(run, reply, action, executed, observation);
  const call = reply.completion.message.toolCalls?.[0];
  // In tool mode the observation answers the call; otherwise it is the next user message.
  if (run.input.settings.actionFormat === 'tool_call' && call)
    run.conversation.messages.push({ role: 'tool', toolCallId: call.id, content: observation });
  else run.conversation.messages.push({ role: 'user', content: observation });
  const index = run.conversation.messages.length - 1;
  run.conversation.observations.push({ index, command: action.command, exitCode: result.exitCode });
  return null;
}

/** An unusable reply (no, empty or several commands; cut off): say why, give up after too many. */
export function reject(run: RunState, completion: Completion, problem: Problem): Stop | null {
  run.formatErrorsInRow++;
  const text = problemText(run.prompts, problem);
  const feedback =
    problem.code === 'cut-off'
      ? run.prompts.truncated
      : formatErrorFeedback(run.prompts, text, run.input.settings.actionFormat);
  answerToolCalls(run, completion, renderFragment(run.prompts['not-run'], { reason: text }));
  run.conversation.messages.push({ role: 'user', content: feedback });
  run.emit({ type: 'format_error', at: now(), step: run.steps, reply: completion.message.content, feedback });
  if (run.formatErrorsInRow < run.input.settings.maxFormatErrors) return null;
  return {
    exitStatus: 'format_error',
    detail: `${run.formatErrorsInRow} format errors in a row: ${text}`,
  };
}

export function formatErrorFeedback(prompts: Prompts, problem: string, format: 'text' | 'tool_call'): string {
  const how = renderFragment(
    format === 'tool_call' ? prompts['format-how-tool'] : prompts['format-how-text'],
  );
  return render(prompts['format-error'], { problem, how, submit: SUBMIT_SENTINEL });
}

function isSubmit(result: ExecResult): boolean {
  return result.exitCode === 0 && result.output.split('\n')[0]?.trim() === SUBMIT_SENTINEL;
}

/** A submit with nothing changed is answered once with a reminder; the second one is accepted. */
async function acceptSubmit(run: RunState): Promise<boolean> {
  const status = await run.input.sandbox.exec('git status --porcelain | head -n 5', { timeoutMs: 30_000 });
  if (status.exitCode !== 0 || status.output.trim() || run.emptySubmits >= 1) return true;
  run.emptySubmits++;
  return false;
}

function emitStep(
  run: RunState,
  reply: Reply,
  action: Action,
  executed: Executed,
  observation: string,
): void {
  run.emit({
    type: 'step',
    at: now(),
    step: run.steps,
    thought: action.thought,
    command: action.command,
    observation,
    exitCode: executed.result.exitCode,
    timedOut: executed.result.timedOut,
    modelMs: Math.round(reply.modelMs),
    execMs: Math.round(executed.execMs),
    usage: reply.completion.usage,
  });
}

/** Chat APIs require an answer for every tool call, including the ones we refuse to run. */
function answerToolCalls(run: RunState, completion: Completion, text: string): void {
  for (const call of completion.message.toolCalls ?? [])
    run.conversation.messages.push({ role: 'tool', toolCallId: call.id, content: text });
}
