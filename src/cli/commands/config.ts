/**
 * `conjecture config check [--repo DIR]`: loads every source and reports each problem with where it
 * is; `conjecture config print`: the effective configuration, secrets masked.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { maskSecrets } from '../../config/secrets.ts';
import type { Command, CommandContext } from '../command.ts';
import { UsageError } from '../errors.ts';

const ACTIONS = ['check', 'print'] as const;

export const configCommand = {
  name: 'config',
  summary: 'check or print the effective configuration (user file < repo file < env < flags)',
  usage: 'config <check|print> [--repo DIR]',
  options: {
    repo: {
      type: 'string',
      valueName: 'DIR',
      description: "a repository checkout whose .github/conjecture.yml applies on top of the user's settings",
    },
  },
  async run(ctx) {
    const [action, ...extra] = ctx.args;
    if (!action || !(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(
        action ? `unknown action "${action}"; expected check or print` : 'expected an action: check or print',
        'config',
      );
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, 'config');
    const { config, sources, notes } = ctx.loadConfig({ repoDir: repoDir(ctx) });
    if (action === 'print') {
      const masked = maskSecrets(config);
      if (ctx.out.json) ctx.out.data(masked);
      else ctx.io.stdout.write(toYaml(masked));
      return 0;
    }
    ctx.out.data({ ok: true, sources: ['defaults', ...sources], notes });
    ctx.out.line('ok: the configuration is valid');
    ctx.out.line('sources, lowest precedence first (the repository file last: it may only lower limits):');
    for (const source of ['defaults', ...sources]) ctx.out.line(`  ${source}`);
    // What the repository file asks for and will not get, as every run would note it.
    for (const note of notes) ctx.out.line(`note: ${note}`);
    return 0;
  },
} satisfies Command;

function repoDir(ctx: CommandContext): string | undefined {
  const dir = ctx.options.repo;
  if (typeof dir !== 'string') return undefined;
  const full = resolve(ctx.io.cwd, dir);
  if (!existsSync(full) || !statSync(full).isDirectory())
    throw new UsageError(`--repo: ${dir} is not a directory`, 'config');
  return full;
}
