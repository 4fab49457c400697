/**
 * `conjecture serve`: the GitHub App (webhooks at /api/github/webhooks, /healthz) with its runs in
 * this process. SIGTERM/SIGINT stop taking webhooks, cancel running jobs (their containers are
 * removed) and exit once they have ended, within `server.shutdownGraceMs`.
 */
import { join } from 'node:path';
import type { Command } from '../command.ts';

export const serveCommand = {
  name: 'serve',
  summary: 'run the GitHub App: receive webhooks and turn triggered issues into pull requests',
  usage: 'serve [--port N] [--host ADDR]',
  options: {
    port: { type: 'string', valueName: 'N', description: 'port to listen on (overrides server.port)' },
    host: { type: 'string', valueName: 'ADDR', description: 'address to listen on (overrides server.host)' },
  },
  async run(ctx) {
    const [{ loadConfig }, { resolveStateDir }, app, sandbox, workspace, model] = await Promise.all([
      import('../../config/load.ts'),
      import('../../config/state-dir.ts'),
      import('../../app/index.ts'),
      import('../../sandbox/index.ts'),
      import('../../workspace/index.ts'),
      import('../../model/index.ts'),
    ]);
    const flags: Record<string, unknown> = { ...ctx.global.flags };
    if (typeof ctx.options.port === 'string') flags['server.port'] = Number(ctx.options.port);
    if (typeof ctx.options.host === 'string') flags['server.host'] = ctx.options.host;
    const { config } = loadConfig({
      env: ctx.io.env,
      cwd: ctx.io.cwd,
      userFile: ctx.global.configFile,
      flags,
    });
    const logger = ctx.createLogger(ctx.global.logLevel ?? config.logLevel);
    const stateDir = resolveStateDir(config, ctx.io.env, ctx.io.cwd);
    const sandboxes = sandbox.createSandboxProvider(config, logger);
    if (config.sandbox.runtime === 'docker')
      await sandbox.sweepOrphans(sandbox.dockerApiFromConfig(config), logger);
    const server = await app.startAppServer({
      config,
      logger,
      model: model.createOpenAIModel(config.model, { logger }),
      sandboxes,
      workspace: workspace.createWorkspaceCache({ cacheDir: join(stateDir, 'cache'), logger }),
      stateDir,
    });
    ctx.out.data({ url: server.url });
    ctx.out.line(`listening on ${server.url} (webhooks at ${app.WEBHOOK_PATH})`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        logger.info('shutting down');
        const timer = setTimeout(resolve, config.server.shutdownGraceMs);
        void server.close().then(() => {
          clearTimeout(timer);
          resolve();
        });
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return 0;
  },
} satisfies Command;
