/**
 * Command-line parsing on `node:util` parseArgs. It runs non-strict and the tokens are checked
 * here, so each mistake becomes one UsageError naming the flag and what it expected, instead of
 * parseArgs' generic message.
 */
import { parseArgs } from 'node:util';
import type { CliOption, OptionValues } from './command.ts';
import { UsageError } from './errors.ts';

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

type NodeOptions = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

function nodeOptions(options: Record<string, CliOption>): NodeOptions {
  return Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
}

/** The first positional word (the command) and where it is, skipping global flags and their values. */
export function findCommandWord(
  argv: readonly string[],
  globals: Record<string, CliOption>,
): { name: string; index: number } | undefined {
  const { tokens } = parseArgs({
    args: [...argv],
    options: nodeOptions(globals),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const first = tokens.find((t) => t.kind === 'positional');
  return first?.kind === 'positional' ? { name: first.value, index: first.index } : undefined;
}

export function parseOptions(
  argv: readonly string[],
  options: Record<string, CliOption>,
  command?: string,
): ParsedArgs {
  const parsed = parseArgs({
    args: [...argv],
    options: nodeOptions(options),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const def = options[token.name];
    if (!def) throw new UsageError(`unknown option ${token.rawName}`, command);
    if (def.type === 'boolean' && token.value !== undefined)
      throw new UsageError(`${token.rawName} takes no value`, command);
    if (def.type === 'string') checkValue(token.rawName, token.value, token.inlineValue, def, command);
  }
  return { values: parsed.values as OptionValues, positionals: parsed.positionals };
}

function checkValue(
  flag: string,
  value: string | undefined,
  inline: boolean | undefined,
  def: CliOption,
  command: string | undefined,
): void {
  const expected = def.choices ? `one of ${def.choices.join(', ')}` : (def.valueName ?? 'a value');
  // parseArgs takes the next word even when it is another flag (`--config --json`).
  if (value === undefined || value === '' || (!inline && /^--?[A-Za-z]/.test(value)))
    throw new UsageError(`${flag} needs a value: expected ${expected}`, command);
  if (def.choices && !def.choices.includes(value))
    throw new UsageError(`${flag}: expected ${expected}, got "${value}"`, command);
}
