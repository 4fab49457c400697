/**
 * The last resort of a compaction: in a long run in a small window, even the one-line notes of
 * elided outputs (and the replies before them) fill the budget. When they hold half the compaction's
 * target, the oldest steps whose outputs are all elided are removed whole, down to a fifth of it — a reply with its answers, so tool calls stay answered
 * and roles keep alternating — and the first elided step that remains says how many went.
 */
import { type Conversation, estimateTokens, KEEP_RECENT, PROTECTED_HEAD } from './context.ts';
import { type Prompts, renderFragment } from './prompts.ts';

interface Step {
  start: number;
  end: number;
  /** Index of the step's (elided) observation, if it has one. */
  noted: number | null;
}

export function removeOldSteps(conversation: Conversation, targetTokens: number, prompts: Prompts): void {
  const steps = elidedSteps(conversation);
  // At least one step with a note stays: the first of them says what went before it.
  const carrier = steps.findLastIndex((s) => s.noted !== null);
  const { messages } = conversation;
  const sizes = steps.map((s) => estimateTokens(messages.slice(s.start, s.end)));
  let residue = sizes.reduce((a, b) => a + b, 0);
  // Rare, like every compaction: only when the notes hold half the target, and then down to a fifth.
  if (carrier <= 0 || residue <= targetTokens / 2) return;
  let removed = 0;
  while (removed < carrier && residue > targetTokens / 5) residue -= sizes[removed++]!;
  const from = steps[0]!.start;
  const to = steps[removed - 1]!.end;
  cut(conversation, from, to);
  conversation.removedSteps = (conversation.removedSteps ?? 0) + removed;
  const first = steps.slice(removed).find((s) => s.noted !== null)!;
  const carried = conversation.observations.find((o) => o.index === first.noted! - (to - from))!;
  const note = renderFragment(prompts['elided-steps'], { steps: conversation.removedSteps });
  messages[carried.index] = { ...messages[carried.index]!, content: `${note}\n${carried.note}` };
}

/** The steps (a reply and what answered it) after the task whose outputs are all elided, oldest first. */
function elidedSteps(conversation: Conversation): Step[] {
  const { messages, observations } = conversation;
  const recent = messages.length - KEEP_RECENT;
  const starts = messages.flatMap((m, i) => (i >= PROTECTED_HEAD && m.role === 'assistant' ? [i] : []));
  const steps: Step[] = [];
  for (const [k, start] of starts.entries()) {
    const end = starts[k + 1] ?? messages.length;
    if (end > recent) break;
    const inside = observations.filter((o) => o.index >= start && o.index < end);
    if (!inside.every((o) => o.note !== undefined)) break;
    steps.push({ start, end, noted: inside[0]?.index ?? null });
  }
  return steps;
}

/** Removes messages [from, to) and moves the observations after them up. */
function cut(conversation: Conversation, from: number, to: number): void {
  const count = to - from;
  conversation.messages.splice(from, count);
  conversation.observations = conversation.observations
    .filter((o) => o.index < from || o.index >= to)
    .map((o) => (o.index >= to ? { ...o, index: o.index - count } : o));
}
