/**
 * The shape of a CLI command. Each lives in `src/cli/commands/<name>.ts` and is exported from
 * `commands/index.ts`; `main` does the parsing, help and error reporting, so `run` only does its job
 * and returns an exit code.
 */
import type { LoadConfigOptions, LoadedConfig } from '../config/load.ts';
import type { Logger } from '../core/log.ts';
import type { Output } from './output.ts';
import type { Progress } from './progress.ts';

/** A stream the CLI writes to; `process.stdout`/`process.stderr` or an in-memory one in tests. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A `node:util` parseArgs option plus what help needs to describe it. */
export interface CliOption {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  description: string;
  /** Shown in help and errors for string options, e.g. `FILE`. */
  valueName?: string;
  /** Accepted values of a string option; anything else is a usage error. */
  choices?: readonly string[];
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
  logLevel: string | undefined;
  configFile: string | undefined;
  /** Typed `--set` overrides (and `--log-level`), keyed by dotted path. */
  flags: Record<string, unknown>;
}

export interface CommandContext {
  io: CliIo;
  global: GlobalOptions;
  /** This command's own options, already checked against `options`. */
  options: OptionValues;
  /** Positional arguments after the command name. */
  args: string[];
  out: Output;
  progress: Progress;
  version: string;
  /** The effective configuration from the user file, env and flags (plus `repoDir` when given). */
  loadConfig(extra?: Pick<LoadConfigOptions, 'repoDir' | 'repoText'>): LoadedConfig;
  /** A pino logger writing to stderr at the given level (default: --log-level, else warn). */
  createLogger(level?: string): Logger;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line(s) after `conjecture `, e.g. `config <check|print> [--repo DIR]`. */
  usage: string;
  options: Record<string, CliOption>;
  /**
   * Keep a command module's top-level imports light (help and --version load every command);
   * import heavy modules (probot, bullmq, the model SDK) inside `run`.
   */
  run(ctx: CommandContext): Promise<number>;
}
