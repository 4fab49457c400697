/** What the model sees after a command: the exit code and the output, head and tail when long. */
import type { ExecResult } from '../core/sandbox.ts';
import { type Prompts, render, renderFragment } from './prompts.ts';

export function capChars(text: string, max: number, prompts: Prompts): string {
  if (text.length <= max) return text;
  const head = Math.ceil(max * 0.4);
  const tail = max - head;
  const note = renderFragment(prompts['output-elided'], { chars: text.length - head - tail });
  return `${text.slice(0, head)}\n${note}\n${text.slice(text.length - tail)}`;
}

export function formatObservation(
  prompts: Prompts,
  result: ExecResult,
  maxChars: number,
  timeoutMs: number,
): string {
  let output = capChars(result.output, maxChars, prompts);
  if (output && !output.endsWith('\n')) output += '\n';
  if (result.timedOut) return render(prompts.timeout, { seconds: Math.round(timeoutMs / 1000), output });
  return render(prompts.observation, { returncode: result.exitCode, output });
}
