/**
 * The CLI's error boundary: every failure becomes a short message and an exit code. A user's
 * mistake never shows a stack; an internal error shows one only with --log-level debug.
 *   2  usage or configuration problem (fix the command line or the config)
 *   1  anything else that stopped the command
 */
import { ConfigError, ConjectureError } from '../core/errors.ts';
import type { OutStream } from './command.ts';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A bad command line: unknown command or flag, missing or malformed value. */
export class UsageError extends ConjectureError {
  /** The command whose help to point at; undefined for the top level. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message, { code: 'usage', hint: `see conjecture ${command ? `${command} ` : ''}--help` });
    this.command = command;
  }
}

export interface ReportOptions {
  stdout: OutStream;
  stderr: OutStream;
  json: boolean;
  /** Print stacks of internal (non-Conjecture) errors. */
  debug: boolean;
}

export function reportError(err: unknown, options: ReportOptions): number {
  const { text, exitCode, machine } = describe(err, options.debug);
  if (options.json) options.stdout.write(`${JSON.stringify({ ok: false, error: machine }, null, 2)}\n`);
  options.stderr.write(`${text}\n`);
  return exitCode;
}

function describe(
  err: unknown,
  debug: boolean,
): { text: string; exitCode: number; machine: Record<string, unknown> } {
  if (err instanceof ConfigError) {
    const lines = err.issues.map((i) => `  ${i.source}: ${i.path || '(root)'}: ${i.message}`);
    const count = err.issues.length === 1 ? '1 problem' : `${err.issues.length} problems`;
    const hint = err.hint ? `\n  fix: ${err.hint}` : '';
    return {
      text: `error: invalid configuration (${count}):\n${lines.join('\n')}${hint}`,
      exitCode: EXIT_USAGE,
      machine: { code: err.code, message: 'invalid configuration', issues: err.issues, hint: err.hint },
    };
  }
  if (err instanceof UsageError) {
    return {
      text: `error: ${err.message}\n${err.hint}`,
      exitCode: EXIT_USAGE,
      machine: { code: err.code, message: err.message, hint: err.hint },
    };
  }
  if (err instanceof ConjectureError) {
    const stack = debug && err.stack ? `\n${err.stack}` : '';
    return {
      text: `error: ${err.message}${err.hint ? `\n  fix: ${err.hint}` : ''}${stack}`,
      exitCode: EXIT_FAILURE,
      machine: { code: err.code, message: err.message, hint: err.hint, retryable: err.retryable },
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  const detail =
    debug && err instanceof Error && err.stack
      ? `\n${err.stack}`
      : '\n  (an internal error; rerun with --log-level debug for the stack, and report it)';
  return {
    text: `error: ${message}${detail}`,
    exitCode: EXIT_FAILURE,
    machine: { code: 'internal', message },
  };
}
