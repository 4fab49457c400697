/** What the agent is asked to do, and what it produced. */
import { z } from 'zod';
import type { Usage } from './model.ts';

/** The issue as the agent reads it (also stored in queued GitHub jobs, so it has a schema). */
export const issueTextSchema = z.object({
  title: z.string(),
  body: z.string(),
  /** Issue number and URL when the task came from GitHub. */
  number: z.number().int().optional(),
  url: z.string().optional(),
  /** Comments by writers, captured at trigger time, already sanitized. */
  comments: z.array(z.object({ author: z.string(), body: z.string() })).optional(),
});
export type IssueText = z.infer<typeof issueTextSchema>;

export interface Task {
  id: string;
  /** Remote URL or local path of the repository. */
  repo: string;
  /** Commit to start from; defaults to the remote's default branch head. */
  commit?: string;
  issue: IssueText;
  /** Extra instructions from the trigger, e.g. `/conjecture fix use the v2 API`. */
  instructions?: string;
}

export type ExitStatus = 'submitted' | 'limits_exceeded' | 'format_error' | 'timeout' | 'cancelled' | 'error';

export interface RunUsage extends Usage {
  calls: number;
  costUsd: number;
}

export function emptyUsage(): RunUsage {
  return { promptTokens: 0, completionTokens: 0, estimated: false, calls: 0, costUsd: 0 };
}

export function addUsage(total: RunUsage, u: Usage, costUsd: number): RunUsage {
  return {
    promptTokens: total.promptTokens + u.promptTokens,
    completionTokens: total.completionTokens + u.completionTokens,
    estimated: total.estimated || u.estimated,
    calls: total.calls + 1,
    costUsd: total.costUsd + costUsd,
    ...cached(total.cachedPromptTokens, u.cachedPromptTokens),
  };
}

/** Cached prompt tokens add up only where a server reported them; unknown stays absent. */
function cached(a: number | undefined, b: number | undefined): { cachedPromptTokens?: number } {
  return a === undefined && b === undefined ? {} : { cachedPromptTokens: (a ?? 0) + (b ?? 0) };
}

/** The total of two runs' usage (attempts, feedback rounds). */
export function sumUsage(a: RunUsage, b: RunUsage): RunUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    estimated: a.estimated || b.estimated,
    calls: a.calls + b.calls,
    costUsd: a.costUsd + b.costUsd,
    ...cached(a.cachedPromptTokens, b.cachedPromptTokens),
  };
}
