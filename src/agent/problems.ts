/**
 * Why a reply could not be run, as the parser finds it: a code and its details. The words the model
 * reads come from prompts/format-problems.md (one `code: text` line each), like every other prompt.
 */
import { type Prompts, render } from './prompts.ts';

export type ProblemCode =
  | 'no-command'
  | 'no-tool-call'
  | 'several-commands'
  | 'several-tool-calls'
  | 'invalid-arguments'
  | 'no-command-argument'
  | 'empty-command'
  | 'invalid-tool-call'
  | 'unknown-tool'
  | 'cut-off';

export interface Problem {
  code: ProblemCode;
  /** How many commands or calls, for the `several-*` codes. */
  count?: number;
  /** The tool the model named, for `unknown-tool`. */
  tool?: string;
}

export function problemText(prompts: Prompts, problem: Problem): string {
  const line = prompts['format-problems'].split('\n').find((l) => l.startsWith(`${problem.code}:`));
  if (line === undefined) throw new Error(`prompt format-problems has no line for ${problem.code}`);
  const values = { count: problem.count ?? '', tool: JSON.stringify(problem.tool ?? '') };
  return render(line.slice(problem.code.length + 1).trim(), values);
}
