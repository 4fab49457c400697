/** The conversation's first two messages: the system prompt and the task, from the templates. */
import type { Config } from '../config/schema.ts';
import type { ChatMessage } from '../core/model.ts';
import type { Task } from '../core/task.ts';
import { type Prompts, render, renderFragment, SUBMIT_SENTINEL } from './prompts.ts';

export function buildInitialMessages(
  task: Task,
  settings: Config['agent'],
  prompts: Prompts,
  workdir: string,
): ChatMessage[] {
  const format = settings.actionFormat === 'tool_call' ? prompts['format-tool'] : prompts['format-text'];
  const system = render(prompts.system, { format: format.trim(), submit: SUBMIT_SENTINEL });
  const comments = (task.issue.comments ?? [])
    .map(
      (c) =>
        `\n${renderFragment(prompts.comment, { author: defuseMarkers(c.author), body: defuseMarkers(c.body) })}`,
    )
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
