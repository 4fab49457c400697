/**
 * An in-memory `Sandbox` for the agent's unit tests: each command gets a scripted result, every
 * call is recorded. `echo` and `git status --porcelain` behave like the real thing so a submit
 * works without scripting them; anything unscripted answers like a shell that lacks the command.
 */
import type { ExecOptions, ExecResult, Sandbox } from '../../src/core/sandbox.ts';

export interface FakeReply {
  output?: string;
  exitCode?: number;
  timedOut?: boolean;
  /** Simulated command time. */
  delayMs?: number;
}

export interface FakeSandboxScript {
  /** Replies by exact command; a function sees the options (and may abort, count, …). */
  replies?: Record<string, FakeReply | ((options: ExecOptions | undefined) => FakeReply)>;
  /** What `git status --porcelain` prints; default: one modified file. */
  gitStatus?: FakeReply;
}

export interface FakeSandbox extends Sandbox {
  readonly commands: string[];
  readonly options: (ExecOptions | undefined)[];
  readonly disposed: boolean;
}

export function createFakeSandbox(script: FakeSandboxScript = {}): FakeSandbox {
  const commands: string[] = [];
  const options: (ExecOptions | undefined)[] = [];
  let disposed = false;
  const reply = (command: string, opts: ExecOptions | undefined): FakeReply => {
    const scripted = script.replies?.[command];
    if (scripted) return typeof scripted === 'function' ? scripted(opts) : scripted;
    if (command.startsWith('git status --porcelain'))
      return script.gitStatus ?? { output: ' M src/date.ts\n' };
    if (command.startsWith('echo ')) return { output: `${command.slice(5)}\n` };
    return { output: `bash: ${command.split(' ')[0]}: command not found\n`, exitCode: 127 };
  };
  return {
    id: 'fake-sandbox',
    workdir: '/workspace',
    commands,
    options,
    get disposed() {
      return disposed;
    },
    async exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
      commands.push(command);
      options.push(opts);
      const r = reply(command, opts);
      if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
      const output = r.output ?? '';
      return {
        output,
        exitCode: r.exitCode ?? 0,
        timedOut: r.timedOut ?? false,
        truncated: false,
        elidedBytes: 0,
        durationMs: r.delayMs ?? 0,
      };
    },
    async dispose() {
      disposed = true;
    },
  } satisfies FakeSandbox;
}
