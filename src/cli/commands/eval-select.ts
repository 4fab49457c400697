/**
 * The instances an `eval run` or `eval score` works on: the file's, narrowed by `--filter` and
 * `--slice`. A selection that comes out empty is a mistake in the command line, never a run that
 * does nothing and exits 0.
 */
import type { SwebenchInstance } from '../../eval/index.ts';
import type { CommandContext } from '../command.ts';
import { UsageError } from '../errors.ts';

export async function loadSelection(
  ctx: CommandContext,
  instancesPath: string,
): Promise<{ all: SwebenchInstance[]; selected: SwebenchInstance[] }> {
  const evaluation = await import('../../eval/index.ts');
  const all = await evaluation.loadInstances(instancesPath);
  const raw = ctx.options.filter;
  const filter = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : undefined;
  const slice = typeof ctx.options.slice === 'string' ? ctx.options.slice : undefined;
  const selected = evaluation.selectInstances(all, { filter, slice });
  if (selected.length > 0) return { all, selected };
  if (all.length === 0) throw new UsageError(`${instancesPath} holds no instances`, 'eval');
  const narrowing = [
    ...(filter ?? []).map((f) => `--filter ${f}`),
    ...(slice !== undefined ? [`--slice ${slice}`] : []),
  ].join(' ');
  throw new UsageError(
    `no instance matches ${narrowing} (${all.length} instances in ${instancesPath}, e.g. ${all[0]?.instance_id}); nothing to do`,
    'eval',
  );
}
