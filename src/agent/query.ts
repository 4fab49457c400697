/** Asking the model for the next reply, inside the context budget. */
import { isAbortError, ModelError } from '../core/errors.ts';
import type { Completion } from '../core/model.ts';
import { addUsage } from '../core/task.ts';
import { BASH_TOOL } from './actions.ts';
import { compact } from './compaction.ts';
import { CHARS_PER_TOKEN, estimateTokens } from './context.ts';
import { CANCELLED, type RunState, type Stop } from './run-state.ts';

export interface Reply {
  completion: Completion;
  modelMs: number;
}

/** Well under the budget, so that the next compaction is many steps away (issue 15). */
const DEFAULT_COMPACT_TO = 0.4;

/** One model call. `null`: the server refused an overflowing prompt; the budget shrank, try again. */
export async function query(run: RunState): Promise<Reply | Stop | null> {
  const { model, signal, sampling, logger } = run.input;
  fitContext(run);
  run.steps++;
  const started = performance.now();
  try {
    const completion = await model.complete(run.conversation.messages, {
      signal,
      tools: run.input.settings.actionFormat === 'tool_call' ? [BASH_TOOL] : undefined,
      seed: sampling?.seed,
      temperature: sampling?.temperature,
      maxTokens: sampling?.maxTokens,
    });
    run.usage = addUsage(run.usage, completion.usage, completion.costUsd);
    run.conversation.messages.push(completion.message);
    return { completion, modelMs: performance.now() - started };
  } catch (err) {
    if (isAbortError(err) || signal?.aborted) return CANCELLED;
    if (!(err instanceof ModelError && err.code === 'context_overflow' && run.budgetScale > 0.5)) throw err;
    run.budgetScale -= 0.25;
    run.steps--; // the refused call produced no step; keep the trace's step numbers contiguous
    const estimate = estimateTokens(run.conversation.messages);
    logger.warn({ estimate }, 'context overflow reported by the model server; shrinking the context');
    return null;
  }
}

/** Tokens the conversation may use: the window less the reply's reserve, with a safety margin. */
export function budgetTokens(run: RunState): number {
  const window = run.input.contextWindow ?? run.input.model.contextWindow;
  const reserve = run.input.sampling?.maxTokens ?? Math.min(4096, Math.floor(window / 4));
  return Math.floor((window - reserve) * 0.95 * run.budgetScale);
}

/**
 * New observations are kept small when added (head and tail), at most an eighth of the budget, so
 * that after a compaction several full turns fit before the next one even in a small window.
 */
export function observationCap(run: RunState): number {
  const eighth = Math.floor((budgetTokens(run) * CHARS_PER_TOKEN) / 8);
  return Math.min(run.input.settings.maxObservationChars, Math.max(1000, eighth));
}

/** Leaves the conversation alone until it outgrows the budget, then compacts it once, well under. */
function fitContext(run: RunState): void {
  const budget = budgetTokens(run);
  if (estimateTokens(run.conversation.messages) <= budget) return;
  const target = Math.floor(budget * (run.input.compactTo ?? DEFAULT_COMPACT_TO));
  const before = run.conversation.messages.length;
  const elided = compact(run.conversation, target, run.prompts);
  const removed = before - run.conversation.messages.length;
  if (elided > 0 || removed > 0)
    run.input.logger.info({ budget, target, elided, removedMessages: removed }, 'compacted the conversation');
}
