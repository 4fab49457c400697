import { configSchema } from '../config/schema.ts';
import type { CliOption } from './command.ts';

export const LOG_LEVELS: readonly string[] = configSchema.shape.logLevel.unwrap().options;

/** Flags every command accepts, before or after the command name. */
export const GLOBAL_OPTIONS: Record<string, CliOption> = {
  help: {
    type: 'boolean',
    short: 'h',
    description: 'show help (for a command: conjecture <command> --help)',
  },
  version: { type: 'boolean', short: 'V', description: 'print the version' },
  json: { type: 'boolean', description: 'machine-readable output: one JSON document on stdout' },
  config: {
    type: 'string',
    valueName: 'FILE',
    description:
      'user config file (default: $CONJECTURE_CONFIG, ./conjecture.config.*, ~/.config/conjecture/config.*)',
  },
  set: {
    type: 'string',
    multiple: true,
    valueName: 'KEY=VALUE',
    description: 'override one setting, typed by the schema, e.g. --set agent.stepLimit=20 (repeatable)',
  },
  'log-level': {
    type: 'string',
    valueName: 'LEVEL',
    choices: LOG_LEVELS,
    description: `log level on stderr (${LOG_LEVELS.join(', ')}); debug also prints stacks of internal errors`,
  },
  quiet: { type: 'boolean', short: 'q', description: 'no progress output on stderr' },
};
