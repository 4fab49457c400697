/**
 * The composition root: parses the command line, builds the context a command needs, runs it and
 * turns whatever it throws into a message and an exit code. No `process.exit` here; `bin/` sets
 * `process.exitCode` from the returned number so output is flushed.
 */
import { loadConfig } from '../config/load.ts';
import { parseSetFlags } from '../config/set-flags.ts';
import { ConfigError } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import { findCommandWord, parseOptions } from './args.ts';
import type { CliIo, Command, CommandContext, GlobalOptions, OptionValues } from './command.ts';
import * as registry from './commands/index.ts';
import { EXIT_USAGE, reportError, UsageError } from './errors.ts';
import { GLOBAL_OPTIONS } from './global-options.ts';
import { renderCommandHelp, renderGlobalHelp } from './help.ts';
import { createOutput } from './output.ts';
import { createProgress, progressMode } from './progress.ts';
import { readVersion } from './version.ts';

/** Every export of commands/index.ts is a command, listed in name order. */
export const COMMANDS: readonly Command[] = Object.values(registry as Record<string, Command>).sort((a, b) =>
  a.name.localeCompare(b.name),
);

export { readVersion };

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  // Known before parsing, so even a parse error is reported in the requested form.
  const json = argv.includes('--json');
  const debug =
    argv.some((a, i) => /^(debug|trace)$/.test(a) && argv[i - 1] === '--log-level') ||
    argv.some((a) => /^--log-level=(debug|trace)$/.test(a));
  try {
    return await dispatch(argv, io);
  } catch (err) {
    return reportError(err, { stdout: io.stdout, stderr: io.stderr, json, debug });
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const version = readVersion();
  const word = findCommandWord(argv, GLOBAL_OPTIONS);
  if (!word) {
    const { values } = parseOptions(argv, GLOBAL_OPTIONS);
    if (values.version) return printVersion(io, version, values.json === true);
    const help = renderGlobalHelp(COMMANDS, version);
    if (values.help) io.stdout.write(help);
    else io.stderr.write(help);
    return values.help ? 0 : EXIT_USAGE;
  }
  const command = COMMANDS.find((c) => c.name === word.name);
  if (!command)
    throw new UsageError(
      `unknown command "${word.name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}`,
    );

  const rest = argv.filter((_, i) => i !== word.index);
  const { values, positionals } = parseOptions(rest, { ...GLOBAL_OPTIONS, ...command.options }, command.name);
  if (values.help) {
    io.stdout.write(renderCommandHelp(command));
    return 0;
  }
  if (values.version) return printVersion(io, version, values.json === true);
  return command.run(buildContext(io, values, positionals, version));
}

function printVersion(io: CliIo, version: string, json: boolean): number {
  io.stdout.write(json ? `${JSON.stringify({ version })}\n` : `${version}\n`);
  return 0;
}

function buildContext(io: CliIo, values: OptionValues, args: string[], version: string): CommandContext {
  const global = globalOptions(values);
  const options = Object.fromEntries(Object.entries(values).filter(([k]) => !(k in GLOBAL_OPTIONS)));
  return {
    io,
    global,
    options,
    args,
    version,
    out: createOutput(io.stdout, global.json),
    progress: createProgress({
      stream: io.stderr,
      mode: progressMode({ json: global.json, quiet: global.quiet, isTTY: io.stderr.isTTY }),
    }),
    loadConfig: (extra = {}) =>
      loadConfig({
        env: io.env,
        cwd: io.cwd,
        userFile: global.configFile,
        flags: Object.keys(global.flags).length > 0 ? global.flags : undefined,
        ...extra,
      }),
    createLogger: (level) =>
      createLogger({
        level: level ?? global.logLevel ?? 'warn',
        destination: { write: (s: string) => io.stderr.write(s) },
      }),
  };
}

function globalOptions(values: OptionValues): GlobalOptions {
  const set = parseSetFlags((values.set as string[] | undefined) ?? []);
  if (set.issues.length > 0) throw new ConfigError(set.issues, 'see docs/configuration.md for every setting');
  const logLevel = values['log-level'] as string | undefined;
  return {
    json: values.json === true,
    quiet: values.quiet === true,
    logLevel,
    configFile: values.config as string | undefined,
    flags: { ...set.flags, ...(logLevel ? { logLevel } : {}) },
  };
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
