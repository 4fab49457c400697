/**
 * `conjecture serve`: the GitHub App (webhooks at /api/github/webhooks), the REST API and health on
 * one port, and a worker consuming the durable job queue in this process (unless `--no-worker`, when
 * `conjecture worker` runs the jobs elsewhere). SIGTERM/SIGINT stop taking webhooks and give running
 * jobs `server.shutdownGraceMs` to finish; the rest are handed back to the queue, not lost.
 */
import type { Command } from '../command.ts';

export const serveCommand = {
  name: 'serve',
  summary: 'run the GitHub App: receive webhooks and turn triggered issues into pull requests',
  usage: 'serve [--port N] [--host ADDR] [--no-worker] [--serve-model]',
  options: {
    port: { type: 'string', valueName: 'N', description: 'port to listen on (overrides server.port)' },
    host: { type: 'string', valueName: 'ADDR', description: 'address to listen on (overrides server.host)' },
    'no-worker': {
      type: 'boolean',
      description: 'only accept webhooks and API calls; jobs wait for `conjecture worker`',
    },
    'serve-model': {
      type: 'boolean',
      description:
        "also serve this server's model (e.g. the embedded one) as an OpenAI-compatible endpoint under /v1/ for other machines' workers",
    },
  },
  async run(ctx) {
    const flags: Record<string, unknown> = {};
    if (typeof ctx.options.port === 'string') flags['server.port'] = Number(ctx.options.port);
    if (typeof ctx.options.host === 'string') flags['server.host'] = ctx.options.host;
    const worker = ctx.options['no-worker'] !== true;
    const serveModel = ctx.options['serve-model'] === true;
    const [compose, { WEBHOOK_PATH }] = await Promise.all([
      import('../compose/index.ts'),
      import('../../server/webhook-endpoint.ts'),
    ]);
    const { config, logger, deps } = await compose.openRunnerParts(ctx, flags, {
      runsJobs: worker,
      usesModel: serveModel,
    });
    // From here on, a stray error from one request or job is logged, not the end of every run.
    const { keepServingOnStrayErrors } = await import('../last-resort.ts');
    const release = keepServingOnStrayErrors(process, logger);
    const server = await compose.startAppServer({ ...deps, worker, serveModel });
    ctx.out.data({ url: server.url });
    ctx.out.line(`listening on ${server.url} (webhooks at ${WEBHOOK_PATH})`);
    if (serveModel) ctx.out.line(`model ${deps.model.name} served at ${server.url}/v1`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        logger.info('shutting down');
        void server.close({ graceMs: config.server.shutdownGraceMs }).then((report) => {
          if (report) logger.info(report, 'worker stopped');
          resolve();
        });
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    release();
    return 0;
  },
} satisfies Command;
