/**
 * What `serve` and `worker` both build from the configuration: the model, sandboxes, workspace cache
 * and durable queue a GitHub run needs (orphaned sandbox containers are swept first).
 */
import { join } from 'node:path';
import { createOpenAIModel } from '../../model/index.ts';
import type { CommandContext } from '../command.ts';
import { openModel } from '../commands/model.ts';

export async function openRunnerParts(
  ctx: CommandContext,
  extraFlags: Record<string, unknown>,
  options: { runsJobs: boolean; usesModel?: boolean },
) {
  const [{ loadConfig }, { resolveStateDir }, jobs, sandbox, workspace] = await Promise.all([
    import('../../config/load.ts'),
    import('../../config/state-dir.ts'),
    import('../../jobs/open.ts'),
    import('../../sandbox/index.ts'),
    import('../../workspace/index.ts'),
  ]);
  const flags: Record<string, unknown> = { ...ctx.global.flags, ...extraFlags };
  const { config, pinned } = loadConfig({
    env: ctx.io.env,
    cwd: ctx.io.cwd,
    userFile: ctx.global.configFile,
    flags,
  });
  const logger = ctx.createLogger(ctx.global.logLevel ?? config.logLevel);
  const stateDir = resolveStateDir(config, ctx.io.env, ctx.io.cwd);
  const sandboxes = sandbox.createSandboxProvider(config, logger);
  // Only a process that runs jobs owns sandbox containers; an intake-only `serve` must not sweep a worker's.
  if (options.runsJobs && config.sandbox.runtime === 'docker') {
    await sandbox.sweepOrphans(sandbox.dockerApiFromConfig(config), logger);
    await sandbox.sweepWorkspaceMounts(join(stateDir, 'cache', 'checkouts'), logger);
  }
  const deps = {
    config,
    pinned,
    logger,
    // A server that runs no jobs never calls the model: no endpoint probing, no weights loaded for it.
    model:
      options.runsJobs || options.usesModel
        ? (await openModel(ctx, config, { logger, stateDir })).model
        : createOpenAIModel(config.model, { logger }),
    sandboxes,
    workspace: workspace.createWorkspaceCache({ cacheDir: join(stateDir, 'cache'), logger }),
    stateDir,
    queue: jobs.openJobQueue(config.queue, { stateDir, logger }),
  };
  return { config, logger, deps };
}
