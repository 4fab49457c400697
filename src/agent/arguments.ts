/** The command inside one call of the bash tool, however the model spelled its arguments. */
import type { Problem } from './problems.ts';

/** Where in a reply a command (or a broken attempt at one) was found. */
export interface Found {
  start: number;
  end: number;
  result: CommandOrProblem;
}

export type CommandOrProblem = { command: string } | { problem: Problem };

/** `{"command": …}`, `{"cmd": …}` or the command as a plain string; empty is a problem, not `""`. */
export function commandFromArguments(args: unknown): CommandOrProblem {
  const command =
    typeof args === 'string'
      ? args
      : typeof args === 'object' && args !== null
        ? ((args as Record<string, unknown>).command ?? (args as Record<string, unknown>).cmd)
        : undefined;
  if (typeof args === 'object' && args !== null && Object.keys(args).length === 0)
    return { problem: { code: 'empty-command' } };
  if (typeof command !== 'string') return { problem: { code: 'no-command-argument' } };
  return cleanCommand(command);
}

/** Drops a copied shell prompt (`$ `) and a stray closing fence; nothing left is an empty command. */
export function cleanCommand(command: string): CommandOrProblem {
  const text = command
    .replace(/^\s*\$ /, '')
    .replace(/\n?```\s*$/, '')
    .trim();
  return text ? { command: text } : { problem: { code: 'empty-command' } };
}
