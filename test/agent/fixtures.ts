/** Shared inputs for the agent tests: a sample task, settings, and a model that records options. */
import { agentSchema, type Config } from '../../src/config/schema.ts';
import type { ChatMessage, CompleteOptions, Model } from '../../src/core/model.ts';
import type { Task } from '../../src/core/task.ts';
import type { TraceEvent } from '../../src/core/trace.ts';

export const sampleTask: Task = {
  id: 'task-1',
  repo: 'https://github.com/acme/dates',
  issue: {
    title: 'formatDate ignores the timezone option',
    body: 'Calling `formatDate(d, { tz: "Europe/Paris" })` prints UTC.\n\nExpected: the Paris time.',
    number: 7,
    comments: [{ author: 'maintainer', body: 'The bug is probably in src/date.ts.' }],
  },
  instructions: 'Keep the public API unchanged.',
};

export function agentSettings(over: Partial<Config['agent']> = {}): Config['agent'] {
  return { ...agentSchema.parse({}), ...over };
}

/** Wraps a model to record the options of every call (tools, seed, signal…). */
export function recordOptions<M extends Model>(model: M): M & { options: CompleteOptions[] } {
  const options: CompleteOptions[] = [];
  return Object.assign(Object.create(model) as M, {
    options,
    complete(messages: ChatMessage[], opts: CompleteOptions = {}) {
      options.push(opts);
      return model.complete(messages, opts);
    },
  }) satisfies Model;
}

export function collectEvents(): { events: TraceEvent[]; onEvent: (e: TraceEvent) => void } {
  const events: TraceEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

/** Chat APIs reject a conversation in which an assistant tool call has no tool answer. */
export function unansweredToolCalls(messages: ChatMessage[]): string[] {
  const answered = new Set(messages.filter((m) => m.role === 'tool').map((m) => m.toolCallId));
  const missing: string[] = [];
  messages.forEach((m, i) => {
    for (const call of m.toolCalls ?? []) {
      // Ids repeat across replies (call_0), so look for the answer among the following messages.
      const after = messages.slice(i + 1).findIndex((n) => n.role === 'tool' && n.toolCallId === call.id);
      if (after < 0 || !answered.has(call.id)) missing.push(`message ${i}: ${call.id}`);
      else if (messages.slice(i + 1, i + 1 + after).some((n) => n.role !== 'tool'))
        missing.push(`message ${i}: ${call.id} answered late`);
    }
  });
  return missing;
}
