/**
 * Typed infrastructure errors. Expected outcomes (a run that hit its step limit, a test that
 * failed) are data, not errors; these are for things that stop a piece of work. Classify by
 * `code` or class, never by message text. `hint` tells the operator how to fix it.
 */
export interface ConjectureErrorOptions {
  code: string;
  retryable?: boolean;
  hint?: string;
  cause?: unknown;
}

export class ConjectureError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly hint: string | undefined;

  constructor(message: string, options: ConjectureErrorOptions) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.hint = options.hint;
  }
}

/** One problem in a configuration source: where it is and what was expected there. */
export interface ConfigIssue {
  source: string;
  path: string;
  message: string;
}

export class ConfigError extends ConjectureError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[], hint?: string) {
    const lines = issues.map((i) => `  ${i.source}: ${i.path || '(root)'}: ${i.message}`);
    super(`invalid configuration:\n${lines.join('\n')}`, { code: 'config_invalid', hint });
    this.issues = issues;
  }
}

export class SandboxError extends ConjectureError {}
export class ModelError extends ConjectureError {}
export class WorkspaceError extends ConjectureError {}
export class ValidationError extends ConjectureError {}

/** A user-facing error message: the message, then the hint, never a stack. */
export function describeError(err: unknown): string {
  if (err instanceof ConjectureError) return err.hint ? `${err.message}\n  fix: ${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function isAbortError(err: unknown): boolean {
  return (
    err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR')
  );
}
