/**
 * `eval export RUN_DIR --out DIR [--score SCORE_DIR]`: an eval run as a SWE-bench leaderboard
 * submission folder, with mini-swe-agent trajectories (src/eval/export/).
 */
import { resolve } from 'node:path';
import type { CommandContext } from '../command.ts';
import { UsageError } from '../errors.ts';
import { readVersion } from '../version.ts';

export async function runEvalExport(ctx: CommandContext, need: (name: string) => string): Promise<number> {
  const runArg = ctx.args[1];
  if (!runArg)
    throw new UsageError('eval export needs the run directory: eval export RUN_DIR --out DIR', 'eval');
  const evaluation = await import('../../eval/index.ts');
  const split = typeof ctx.options.split === 'string' ? ctx.options.split : 'verified';
  if (!(evaluation.SPLITS as readonly string[]).includes(split))
    throw new UsageError(`--split must be one of ${evaluation.SPLITS.join(', ')}`, 'eval');
  const str = (name: string) =>
    typeof ctx.options[name] === 'string' ? (ctx.options[name] as string) : undefined;
  const scoreDir = str('score');
  const result = await evaluation.exportSubmission({
    runDir: resolve(ctx.io.cwd, runArg),
    ...(scoreDir ? { scoreDir: resolve(ctx.io.cwd, scoreDir) } : {}),
    outDir: resolve(ctx.io.cwd, need('out')),
    split: split as (typeof evaluation.SPLITS)[number],
    ...(str('name') ? { name: str('name') } : {}),
    ...(str('site') ? { site: str('site') } : {}),
    ...(str('report') ? { report: str('report') } : {}),
    version: readVersion(),
  });
  ctx.out.data(result);
  ctx.out.line(`submission folder: ${result.dir}`);
  ctx.out.line(
    `${result.instances} predictions, ${result.trajectories} trajectories (mini-swe-agent format), ${result.logs} evaluator logs` +
      (result.resolved === null ? '' : `, ${result.resolved} resolved`),
  );
  if (!scoreDir) ctx.out.line('no --score: logs/ is empty; score the predictions before submitting');
  else if (result.missingLogs.length > 0)
    ctx.out.line(
      `no evaluator logs for ${result.missingLogs.length} instance(s): ${result.missingLogs.slice(0, 5).join(', ')}`,
    );
  if (!str('site') || !str('report'))
    ctx.out.line(
      'set info.site and info.report in metadata.yaml (or pass --site/--report): the leaderboard asks for both',
    );
  return 0;
}
