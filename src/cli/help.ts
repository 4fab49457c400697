import type { CliOption, Command } from './command.ts';
import { GLOBAL_OPTIONS } from './global-options.ts';

const TAGLINE = 'turns a GitHub issue into a tested pull request with a small local model';

function optionLines(options: Record<string, CliOption>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : '    ';
    const value = o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : '';
    return [`${short}--${name}${value}`, o.description] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
}

export function renderGlobalHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `conjecture ${version}: ${TAGLINE}`,
    '',
    'Usage: conjecture <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Run `conjecture <command> --help` for a command. Settings: docs/configuration.md.',
    '',
  ].join('\n');
}

export function renderCommandHelp(command: Command): string {
  const own =
    Object.keys(command.options).length > 0 ? ['Options:', ...optionLines(command.options), ''] : [];
  return [
    `conjecture ${command.name}: ${command.summary}`,
    '',
    `Usage: conjecture ${command.usage}`,
    '',
    ...own,
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
  ].join('\n');
}
