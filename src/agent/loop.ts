/**
 * The bash-only agent loop, in the spirit of mini-swe-agent: the model answers with one shell
 * command, the command runs in the sandbox, the output goes back, until the model submits or a
 * limit is reached. Everything that can go wrong in the conversation is data (an exit status);
 * only infrastructure failures (sandbox gone, model unreachable after retries) throw.
 */
import type { Config } from '../config/schema.ts';
import { isAbortError, ModelError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { ChatMessage, Completion, Model } from '../core/model.ts';
import type { Sandbox } from '../core/sandbox.ts';
import { addUsage, type ExitStatus, emptyUsage, type RunUsage, type Task } from '../core/task.ts';
import type { TraceEvent } from '../core/trace.ts';
import { BASH_TOOL, parseTextAction, parseToolAction } from './actions.ts';
import { estimateTokens, fitContext, type ObservationMeta } from './context.ts';
import { formatObservation } from './observation.ts';
import { loadPrompts, type Prompts, render, SUBMIT_SENTINEL } from './prompts.ts';

export interface AgentInput {
  model: Model;
  sandbox: Sandbox;
  task: Task;
  settings: Config['agent'];
  sampling?: { seed?: number; temperature?: number; maxTokens?: number };
  prompts?: Prompts;
  logger: Logger;
  signal?: AbortSignal;
  /** A previous conversation to continue (validation feedback), with `feedback` as the new message. */
  history?: ChatMessage[];
  feedback?: string;
  onEvent?: (event: TraceEvent) => void;
  onStep?: (p: { step: number; max: number; command: string | null }) => void;
}

export interface AgentResult {
  exitStatus: ExitStatus;
  detail?: string;
  steps: number;
  usage: RunUsage;
  messages: ChatMessage[];
  submitted: boolean;
  durationMs: number;
}

const now = () => new Date().toISOString();

export function buildInitialMessages(
  task: Task,
  settings: Config['agent'],
  prompts: Prompts,
  workdir: string,
): ChatMessage[] {
  const format = settings.actionFormat === 'tool_call' ? prompts['format-tool'] : prompts['format-text'];
  const system = render(prompts.system, { format: format.trim(), submit: SUBMIT_SENTINEL });
  const comments = (task.issue.comments ?? [])
    .map((c) => `\n---\nComment by ${defuseMarkers(c.author)}:\n${defuseMarkers(c.body)}`)
    .join('');
  const instructions = task.instructions?.trim()
    ? render(prompts.instructions, { text: defuseMarkers(task.instructions.trim()) })
    : '';
  const instance = render(prompts.instance, {
    workdir,
    title: defuseMarkers(task.issue.title),
    body: `${defuseMarkers(task.issue.body)}${comments}`,
    instructions,
  });
  return [
    { role: 'system', content: system },
    { role: 'user', content: instance },
  ];
}

/** Untrusted text must not be able to close (or fake) the ISSUE/NOTE markers it is fenced in. */
function defuseMarkers(text: string): string {
  return text.replace(/<<<(?=\s*(?:ISSUE|NOTE))/gi, '<<').replace(/(ISSUE|NOTE)\s*>>>/gi, '$1>>');
}

export async function runAgent(input: AgentInput): Promise<AgentResult> {
  const { model, sandbox, settings, signal } = input;
  const prompts = input.prompts ?? loadPrompts(settings.promptsDir);
  const started = performance.now();
  const emit = input.onEvent ?? (() => {});
  const messages: ChatMessage[] = input.history
    ? [...input.history.map((m) => ({ ...m }))]
    : buildInitialMessages(input.task, settings, prompts, sandbox.workdir);
  if (!input.history)
    for (const m of messages)
      emit({ type: 'message', at: now(), role: m.role as 'system' | 'user', content: m.content });
  if (input.feedback) {
    messages.push({ role: 'user', content: input.feedback });
    emit({ type: 'message', at: now(), role: 'user', content: input.feedback });
  }
  const observations: ObservationMeta[] = [];
  const tools = settings.actionFormat === 'tool_call' ? [BASH_TOOL] : undefined;
  const maxTokens = input.sampling?.maxTokens;
  let usage = emptyUsage();
  let steps = 0;
  let formatErrorsInRow = 0;
  let emptySubmits = 0;
  let budgetScale = 1;

  const finish = (exitStatus: ExitStatus, detail?: string): AgentResult => {
    emit({ type: 'end', at: now(), exitStatus, detail, patchBytes: 0 });
    return {
      exitStatus,
      detail,
      steps,
      usage,
      messages,
      submitted: exitStatus === 'submitted',
      durationMs: performance.now() - started,
    };
  };

  for (;;) {
    if (signal?.aborted) return finish('cancelled', 'cancelled');
    if (steps >= settings.stepLimit)
      return finish('limits_exceeded', `step limit ${settings.stepLimit} reached`);
    if (usage.promptTokens + usage.completionTokens >= settings.tokenLimit)
      return finish('limits_exceeded', `token limit ${settings.tokenLimit} reached`);
    if (settings.costLimitUsd > 0 && usage.costUsd >= settings.costLimitUsd)
      return finish('limits_exceeded', `cost limit $${settings.costLimitUsd} reached`);
    if (performance.now() - started >= settings.wallClockMs)
      return finish('timeout', `wall-clock limit ${Math.round(settings.wallClockMs / 1000)} s reached`);

    const reserve = maxTokens ?? Math.min(4096, Math.floor(model.contextWindow / 4));
    fitContext(messages, observations, Math.floor((model.contextWindow - reserve) * 0.95 * budgetScale));
    steps++;
    const modelStarted = performance.now();
    let completion: Completion;
    try {
      completion = await model.complete(messages, {
        signal,
        tools,
        seed: input.sampling?.seed,
        temperature: input.sampling?.temperature,
        maxTokens,
      });
    } catch (err) {
      if (isAbortError(err) || signal?.aborted) return finish('cancelled', 'cancelled');
      if (err instanceof ModelError && err.code === 'context_overflow' && budgetScale > 0.5) {
        budgetScale -= 0.25;
        steps--; // the refused call produced no step; keep the trace's step numbers contiguous
        input.logger.warn(
          { estimate: estimateTokens(messages) },
          'context overflow reported by the model server; shrinking the context',
        );
        continue;
      }
      throw err;
    }
    usage = addUsage(usage, completion.usage, completion.costUsd);
    const modelMs = performance.now() - modelStarted;
    messages.push(completion.message);

    if (completion.finishReason === 'length') {
      formatErrorsInRow++;
      const feedback = prompts.truncated;
      answerToolCalls(messages, completion, 'not run: the reply was cut off');
      messages.push({ role: 'user', content: feedback });
      emit({ type: 'format_error', at: now(), step: steps, reply: completion.message.content, feedback });
      if (formatErrorsInRow >= settings.maxFormatErrors)
        return finish(
          'format_error',
          `${formatErrorsInRow} unusable replies in a row (cut off by the token limit)`,
        );
      continue;
    }
    const action =
      settings.actionFormat === 'tool_call'
        ? parseToolAction(completion)
        : parseTextAction(completion.message.content);
    if (!action.ok) {
      formatErrorsInRow++;
      const how =
        settings.actionFormat === 'tool_call' ? ' as one call of the bash tool' : ' in one ```bash block';
      const feedback = render(prompts['format-error'], {
        problem: action.problem,
        how,
        submit: SUBMIT_SENTINEL,
      });
      answerToolCalls(messages, completion, `not run: ${action.problem}`);
      messages.push({ role: 'user', content: feedback });
      emit({ type: 'format_error', at: now(), step: steps, reply: completion.message.content, feedback });
      if (formatErrorsInRow >= settings.maxFormatErrors)
        return finish('format_error', `${formatErrorsInRow} format errors in a row: ${action.problem}`);
      continue;
    }
    formatErrorsInRow = 0;
    input.onStep?.({ step: steps, max: settings.stepLimit, command: action.command });

    const execStarted = performance.now();
    const result = await sandbox.exec(action.command, {
      timeoutMs: settings.commandTimeoutMs,
      maxOutputBytes: settings.maxObservationChars * 4,
      signal,
    });
    const execMs = performance.now() - execStarted;
    if (signal?.aborted) return finish('cancelled', 'cancelled');
    const submitted = result.exitCode === 0 && result.output.split('\n')[0]?.trim() === SUBMIT_SENTINEL;
    let observation = formatObservation(
      prompts,
      result,
      settings.maxObservationChars,
      settings.commandTimeoutMs,
    );
    if (submitted) {
      const status = await sandbox.exec('git status --porcelain | head -n 5', { timeoutMs: 30_000 });
      if (status.exitCode !== 0 || status.output.trim() || emptySubmits >= 1) {
        emitStep(emit, steps, action, result, observation, modelMs, execMs, completion);
        // A feedback round continues this conversation; an unanswered tool call would make it invalid.
        answerToolCalls(messages, completion, observation);
        return finish('submitted');
      }
      emptySubmits++;
      observation = prompts['submit-empty'];
    }
    emitStep(emit, steps, action, result, observation, modelMs, execMs, completion);
    pushObservation(messages, completion, observation, settings.actionFormat);
    observations.push({ index: messages.length - 1, command: action.command, exitCode: result.exitCode });
  }
}

function emitStep(
  emit: (e: TraceEvent) => void,
  step: number,
  action: { command: string; thought: string },
  result: { exitCode: number; timedOut: boolean },
  observation: string,
  modelMs: number,
  execMs: number,
  completion: Completion,
): void {
  emit({
    type: 'step',
    at: now(),
    step,
    thought: action.thought,
    command: action.command,
    observation,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    modelMs: Math.round(modelMs),
    execMs: Math.round(execMs),
    usage: completion.usage,
  });
}

/** In tool mode the observation answers the call; otherwise it is the next user message. */
function pushObservation(
  messages: ChatMessage[],
  completion: Completion,
  observation: string,
  format: 'tool_call' | 'text',
): void {
  const call = completion.message.toolCalls?.[0];
  if (format === 'tool_call' && call)
    messages.push({ role: 'tool', toolCallId: call.id, content: observation });
  else messages.push({ role: 'user', content: observation });
}

/** Chat APIs require an answer for every tool call, including the ones we refuse to run. */
function answerToolCalls(messages: ChatMessage[], completion: Completion, text: string): void {
  for (const call of completion.message.toolCalls ?? [])
    messages.push({ role: 'tool', toolCallId: call.id, content: text });
}
