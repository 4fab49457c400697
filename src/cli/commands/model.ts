/**
 * `conjecture model pull|list|rm|serve`: the embedded runtime's model cache, and the embedded model
 * served as an OpenAI-compatible endpoint for workers on other machines (`model serve`).
 */
import type { Command, CommandContext } from '../command.ts';
import { UsageError } from '../errors.ts';
import type { StepHandle } from '../progress.ts';

const ACTIONS = ['pull', 'list', 'rm', 'serve'] as const;

export const modelCommand = {
  name: 'model',
  summary: 'manage the embedded model cache (pull, list, rm) or serve the embedded model over HTTP',
  usage:
    'model <pull [REF|URL] [--sha256 HEX] [--no-verify] | list [--available] | rm <REF|FILE> | serve [--port N] [--host ADDR]>',
  options: {
    sha256: { type: 'string', valueName: 'HEX', description: 'pull: the expected checksum of a URL' },
    'no-verify': { type: 'boolean', description: 'pull: accept a file no checksum is known for' },
    available: { type: 'boolean', description: 'list: the references `pull` knows, not the cache' },
    port: { type: 'string', valueName: 'N', description: 'serve: port (default 8080)' },
    host: { type: 'string', valueName: 'ADDR', description: 'serve: address (default 127.0.0.1)' },
  },
  async run(ctx) {
    const [action, ...rest] = ctx.args;
    if (!action || !(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`expected an action: ${ACTIONS.join(', ')}`, 'model');
    const { config } = ctx.loadConfig();
    // Not the embedded index: list/rm/pull must not pay for loading node-llama-cpp.
    const [{ resolveStateDir }, cache, catalog, download] = await Promise.all([
      import('../../config/state-dir.ts'),
      import('../../model/embedded/cache.ts'),
      import('../../model/embedded/catalog.ts'),
      import('../../model/embedded/download.ts'),
    ]);
    const embedded = { ...cache, ...catalog, ...download };
    const stateDir = resolveStateDir(config, ctx.io.env, ctx.io.cwd);
    const cacheDir = embedded.modelCacheDir(config.model.embedded, stateDir);

    if (action === 'list') {
      if (ctx.options.available) {
        ctx.out.data(embedded.CATALOG);
        for (const e of embedded.CATALOG)
          ctx.out.line(`${e.ref.padEnd(28)} ~${embedded.formatBytes(e.approxBytes)}  ${e.description}`);
        return 0;
      }
      const models = embedded.listCachedModels(cacheDir);
      ctx.out.data({ cacheDir, models });
      if (models.length === 0) ctx.out.line(`no models in ${cacheDir} (conjecture model pull)`);
      for (const m of models)
        ctx.out.line(
          `${(m.ref ?? m.file).padEnd(28)} ${embedded.formatBytes(m.bytes).padStart(9)}  ${m.path}`,
        );
      return 0;
    }
    if (action === 'rm') {
      const target = rest[0];
      if (!target)
        throw new UsageError('rm needs a reference or file name (see `conjecture model list`)', 'model');
      const removed = embedded.removeCachedModel(cacheDir, target);
      ctx.out.data({ removed });
      for (const p of removed) ctx.out.line(`removed ${p}`);
      return 0;
    }
    if (action === 'pull') {
      const ref = rest[0] ?? config.model.embedded.model;
      if (embedded.isModelPath(ref))
        throw new UsageError(`"${ref}" is a file path; nothing to pull`, 'model');
      const target = embedded.pullTarget(ref, cacheDir);
      const sha256 = typeof ctx.options.sha256 === 'string' ? ctx.options.sha256 : target.sha256;
      const result = await ctx.progress.step(`pulling ${target.ref}`, (step) =>
        embedded.pullModel({
          ...target,
          sha256,
          allowUnverified: ctx.options['no-verify'] === true,
          onProgress: throttledProgress(step, embedded.formatBytes),
          logger: ctx.createLogger(),
        }),
      );
      // The embedded runtime is an optional peer: pull installs it beside the models (CPU binary).
      const runtimePackage = await import('../../model/embedded/runtime-package.ts');
      const dir = runtimePackage.runtimeDir(cacheDir);
      await ctx.progress.step('embedded runtime (node-llama-cpp)', (step) =>
        runtimePackage.ensureNodeLlamaCpp({ dir, onProgress: (line) => step.update(line.slice(0, 120)) }),
      );
      ctx.out.data({ ...result, runtimeDir: dir });
      ctx.out.line(
        `${result.path} (${embedded.formatBytes(result.bytes)}, sha256 ${result.sha256}, verified: ${result.verifiedBy})`,
      );
      return 0;
    }
    return serve(ctx, config, stateDir);
  },
} satisfies Command;

/** Progress lines at most every half second or each 5 %, so a pipe or CI log is not flooded. */
export function throttledProgress(step: StepHandle, formatBytes: (n: number) => string, now = Date.now) {
  let lastAt = 0;
  let lastPct = -5;
  return (p: { receivedBytes: number; totalBytes: number | undefined }) => {
    const pct = p.totalBytes ? Math.floor((p.receivedBytes / p.totalBytes) * 100) : 0;
    const done = p.totalBytes !== undefined && p.receivedBytes >= p.totalBytes;
    if (!done && now() - lastAt < 500 && pct < lastPct + 5) return;
    lastAt = now();
    lastPct = pct;
    step.update(
      p.totalBytes
        ? `${formatBytes(p.receivedBytes)} of ${formatBytes(p.totalBytes)} (${pct}%)`
        : formatBytes(p.receivedBytes),
    );
  };
}

async function serve(
  ctx: CommandContext,
  config: ReturnType<CommandContext['loadConfig']>['config'],
  stateDir: string,
): Promise<number> {
  const port = ctx.options.port === undefined ? 8080 : Number(ctx.options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port expects a port number', 'model');
  const host = typeof ctx.options.host === 'string' ? ctx.options.host : '127.0.0.1';
  const { isLoopbackHost } = await import('../../model/embedded/endpoint.ts');
  const loopback = isLoopbackHost(host);
  const hashes = config.server.apiTokenHashes;
  // Other machines reach a non-loopback address: never serve the model there without a token.
  if (!loopback && hashes.length === 0)
    throw new UsageError(
      `serving on ${host} needs a bearer token: add its sha256 to server.apiTokenHashes (printf %s "$TOKEN" | sha256sum)`,
      'model',
    );
  const [{ openConfiguredModel }, { startModelEndpoint }, { formatBytes }, { createBearerAuth }] =
    await Promise.all([
      import('../../model/embedded/provider.ts'),
      import('../../model/embedded/endpoint.ts'),
      import('../../model/embedded/download.ts'),
      import('../../server/auth.ts'),
    ]);
  const logger = ctx.createLogger(ctx.global.logLevel ?? config.logLevel);
  const opened = await ctx.progress.step('loading the embedded model', (step) =>
    openConfiguredModel(
      { ...config.model, provider: 'embedded' },
      {
        logger,
        stateDir,
        cwd: ctx.io.cwd,
        onProgress: throttledProgress(step, formatBytes),
        onRuntimeInstall: (line) => step.update(line.slice(0, 120)),
      },
    ),
  );
  const auth = hashes.length > 0 ? createBearerAuth(hashes) : undefined;
  const endpoint = await startModelEndpoint({
    model: opened.model,
    host,
    port,
    logger,
    authorize: auth ? (h) => auth.check(h).ok : undefined,
  });
  ctx.out.data({ url: endpoint.url, model: opened.model.name });
  ctx.out.line(
    `serving ${opened.model.name} at ${endpoint.url} (OpenAI-compatible; set model.baseUrl to it)`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await endpoint.close();
  await opened.dispose();
  return 0;
}

/**
 * The run's model for `fix`, `serve` and `worker`: the configured provider (for `auto`, a local
 * server or else the embedded runtime), with a progress step while an embedded model is pulled and
 * loaded.
 */
export async function openModel(
  ctx: CommandContext,
  config: ReturnType<CommandContext['loadConfig']>['config'],
  deps: { logger: import('../../core/log.ts').Logger; stateDir: string },
) {
  const [{ openConfiguredModel, decidedProvider }, { formatBytes }] = await Promise.all([
    import('../../model/embedded/provider.ts'),
    import('../../model/embedded/download.ts'),
  ]);
  const open = (step?: StepHandle) =>
    openConfiguredModel(config.model, {
      ...deps,
      cwd: ctx.io.cwd,
      ...(step
        ? {
            onProgress: throttledProgress(step, formatBytes),
            onRuntimeInstall: (line: string) => step.update(line.slice(0, 120)),
          }
        : {}),
    });
  const opened =
    decidedProvider(config.model)?.provider === 'openai-compatible'
      ? await open()
      : await ctx.progress.step('loading the model', (step) => open(step));
  warnAboutContext(ctx, opened.context.warnings);
  return opened;
}

/** On stderr, so stdout stays parseable; shown even with --quiet, since a run would go wrong. */
export function warnAboutContext(
  ctx: Pick<CommandContext, 'io'>,
  warnings: readonly { message: string; fix: string }[],
): void {
  for (const w of warnings) ctx.io.stderr.write(`warning: ${w.message}\n  fix: ${w.fix}\n`);
}
