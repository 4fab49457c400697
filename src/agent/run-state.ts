/**
 * The state of one agent run and the checks between steps: what the loop carries from step to
 * step (conversation, usage, counters), the limits that end it, and the result it returns.
 */
import type { Config } from '../config/schema.ts';
import type { Logger } from '../core/log.ts';
import type { ChatMessage, Model } from '../core/model.ts';
import type { Sandbox } from '../core/sandbox.ts';
import { type ExitStatus, emptyUsage, type RunUsage, type Task } from '../core/task.ts';
import type { TraceEvent } from '../core/trace.ts';
import type { Conversation } from './context.ts';
import { buildInitialMessages } from './initial-messages.ts';
import type { Prompts } from './prompts.ts';

export interface AgentInput {
  model: Model;
  sandbox: Sandbox;
  task: Task;
  settings: Config['agent'];
  sampling?: { seed?: number; temperature?: number; maxTokens?: number };
  /** Loaded once by the caller (`loadPrompts`) and used for every message of the run. */
  prompts: Prompts;
  logger: Logger;
  signal?: AbortSignal;
  /** Tokens the serving model accepts (e.g. detected from the server); default `model.contextWindow`. */
  contextWindow?: number;
  /**
   * Fraction of the budget a compaction shrinks the conversation to (default 0.4). 1 elides just
   * enough before every call — the behaviour before issue 15, kept as the bench's baseline.
   */
  compactTo?: number;
  /** A previous conversation to continue (validation feedback), with `feedback` as the new message. */
  history?: Conversation;
  feedback?: string;
  onEvent?: (event: TraceEvent) => void;
  onStep?: (p: { step: number; max: number; command: string | null }) => void;
}

export interface AgentResult {
  exitStatus: ExitStatus;
  detail?: string;
  steps: number;
  usage: RunUsage;
  /** The conversation's messages (the same array as `conversation.messages`). */
  messages: ChatMessage[];
  /** Hand this back as `history` to continue the conversation. */
  conversation: Conversation;
  submitted: boolean;
  durationMs: number;
}

export interface RunState {
  readonly input: AgentInput;
  readonly prompts: Prompts;
  readonly conversation: Conversation;
  readonly emit: (event: TraceEvent) => void;
  readonly started: number;
  usage: RunUsage;
  steps: number;
  formatErrorsInRow: number;
  emptySubmits: number;
  /** Shrinks when the server reports an overflow our estimate missed. */
  budgetScale: number;
}

/** Why a run ends. */
export interface Stop {
  exitStatus: ExitStatus;
  detail?: string;
}

export const CANCELLED: Stop = { exitStatus: 'cancelled', detail: 'cancelled' };

export const now = () => new Date().toISOString();

export function startRun(input: AgentInput): RunState {
  const emit = input.onEvent ?? (() => {});
  const conversation: Conversation = input.history
    ? {
        messages: input.history.messages.map((m) => ({ ...m })),
        observations: input.history.observations.map((o) => ({ ...o })),
        removedSteps: input.history.removedSteps,
      }
    : {
        messages: buildInitialMessages(input.task, input.settings, input.prompts, input.sandbox.workdir),
        observations: [],
      };
  if (!input.history)
    for (const m of conversation.messages)
      emit({ type: 'message', at: now(), role: m.role as 'system' | 'user', content: m.content });
  if (input.feedback) {
    conversation.messages.push({ role: 'user', content: input.feedback });
    emit({ type: 'message', at: now(), role: 'user', content: input.feedback });
  }
  return {
    input,
    prompts: input.prompts,
    conversation,
    emit,
    started: performance.now(),
    usage: emptyUsage(),
    steps: 0,
    formatErrorsInRow: 0,
    emptySubmits: 0,
    budgetScale: 1,
  };
}

export function checkLimits(run: RunState): Stop | null {
  const { settings, signal } = run.input;
  if (signal?.aborted) return CANCELLED;
  if (run.steps >= settings.stepLimit)
    return { exitStatus: 'limits_exceeded', detail: `step limit ${settings.stepLimit} reached` };
  if (run.usage.promptTokens + run.usage.completionTokens >= settings.tokenLimit)
    return { exitStatus: 'limits_exceeded', detail: `token limit ${settings.tokenLimit} reached` };
  if (settings.costLimitUsd > 0 && run.usage.costUsd >= settings.costLimitUsd)
    return { exitStatus: 'limits_exceeded', detail: `cost limit $${settings.costLimitUsd} reached` };
  if (performance.now() - run.started >= settings.wallClockMs) {
    const seconds = Math.round(settings.wallClockMs / 1000);
    return { exitStatus: 'timeout', detail: `wall-clock limit ${seconds} s reached` };
  }
  return null;
}

export function finish(run: RunState, stop: Stop): AgentResult {
  const { exitStatus, detail } = stop;
  run.emit({ type: 'end', at: now(), exitStatus, detail, patchBytes: 0 });
  return {
    exitStatus,
    detail,
    steps: run.steps,
    usage: run.usage,
    messages: run.conversation.messages,
    conversation: run.conversation,
    submitted: exitStatus === 'submitted',
    durationMs: performance.now() - run.started,
  };
}
