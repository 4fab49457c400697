/**
 * Which model a run uses. `openai-compatible` and `embedded` are explicit; `auto` (for a fresh
 * machine) prefers a local server that already serves the configured model (the configured base URL,
 * then Ollama's and LM Studio's default ports, each probed with a short timeout) and otherwise loads
 * the embedded runtime, pulling the default GGUF on first use.
 */
import { basename } from 'node:path';
import { type Config, DEFAULT_BASE_URL } from '../../config/schema.ts';
import type { Logger } from '../../core/log.ts';
import type { Model } from '../../core/model.ts';
import { type ContextDecision, decideContextWindow } from '../context-advice.ts';
import { createOpenAIModel } from '../openai-model.ts';
import { probeModelEndpoint } from '../probe.ts';
import { type DetectOptions, detectServingContext } from '../serving-context.ts';
import { modelCacheDir, type ResolveOptions, resolveModelFile } from './cache.ts';

export const LOCAL_SERVERS: readonly { name: string; baseUrl: string }[] = [
  { name: 'Ollama', baseUrl: 'http://127.0.0.1:11434/v1' },
  { name: 'LM Studio', baseUrl: 'http://127.0.0.1:1234/v1' },
];

export type ProviderChoice =
  | { provider: 'openai-compatible'; baseUrl: string; reason: string }
  | { provider: 'embedded'; reason: string };

export interface ChooseOptions {
  /** Servers to try for `auto`; defaults to the configured base URL, then LOCAL_SERVERS. */
  candidates?: readonly { name: string; baseUrl: string }[];
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * The provider a run will use without probing anything, when that is already decided: an explicit
 * provider, or `auto` with a base URL someone set (then that server is meant, and a moment of it
 * being down must not turn into a multi-gigabyte download).
 */
export function decidedProvider(settings: Config['model']): ProviderChoice | undefined {
  if (settings.provider === 'openai-compatible')
    return {
      provider: 'openai-compatible',
      baseUrl: settings.baseUrl,
      reason: 'model.provider is openai-compatible',
    };
  if (settings.provider === 'embedded') return { provider: 'embedded', reason: 'model.provider is embedded' };
  if (settings.baseUrl !== DEFAULT_BASE_URL)
    return { provider: 'openai-compatible', baseUrl: settings.baseUrl, reason: 'model.baseUrl is set' };
  return undefined;
}

export async function chooseProvider(
  settings: Config['model'],
  options: ChooseOptions = {},
): Promise<ProviderChoice> {
  const decided = decidedProvider(settings);
  if (decided) return decided;
  const candidates = options.candidates ?? [
    { name: 'configured', baseUrl: settings.baseUrl },
    ...LOCAL_SERVERS,
  ];
  const seen = new Set<string>();
  const notes: string[] = [];
  for (const c of candidates) {
    if (seen.has(c.baseUrl)) continue;
    seen.add(c.baseUrl);
    const probe = await probeModelEndpoint(
      { ...settings, baseUrl: c.baseUrl },
      { timeoutMs: options.timeoutMs ?? 1_500, fetch: options.fetch },
    );
    if (probe.ok)
      return {
        provider: 'openai-compatible',
        baseUrl: c.baseUrl,
        reason: `${c.name} at ${c.baseUrl} serves ${settings.name}`,
      };
    notes.push(
      probe.models.length > 0 ? `${c.baseUrl} lacks ${settings.name}` : `${c.baseUrl} did not answer`,
    );
  }
  return { provider: 'embedded', reason: `no local server serves ${settings.name} (${notes.join('; ')})` };
}

export interface OpenModelOptions extends Omit<ResolveOptions, 'logger'>, ChooseOptions {
  logger: Logger;
  stateDir: string;
  /** How the server's context is read (tests shorten the bounds). */
  detect?: Omit<DetectOptions, 'fetch'>;
  /** Progress of installing node-llama-cpp on first use (one line of npm output at a time). */
  onRuntimeInstall?: (line: string) => void;
}

export interface OpenedModel {
  model: Model;
  choice: ProviderChoice;
  /** The agent's context budget and what the server said about it (warnings included). */
  context: ContextDecision;
  /** Frees the embedded model's memory; a no-op for a server. */
  dispose(): Promise<void>;
}

/** Builds the run's `Model` from config; the CLI's one entry point for both providers. */
export async function openConfiguredModel(
  settings: Config['model'],
  options: OpenModelOptions,
): Promise<OpenedModel> {
  const choice = await chooseProvider(settings, options);
  options.logger.info({ provider: choice.provider, reason: choice.reason }, 'model provider chosen');
  if (choice.provider === 'openai-compatible') {
    const context = await serverContext({ ...settings, baseUrl: choice.baseUrl }, options);
    return {
      model: createOpenAIModel(
        { ...settings, baseUrl: choice.baseUrl, contextWindow: context.contextWindow },
        { logger: options.logger },
      ),
      choice,
      context,
      dispose: async () => {},
    };
  }
  const { path } = await resolveModelFile(settings.embedded, options.stateDir, options);
  // node-llama-cpp takes ~0.5 s to import: only a run that uses it pays for it. It is an optional
  // peer: installed now (CPU binary) into the model cache when this machine has none yet.
  const [{ loadEmbeddedRuntime }, { createEmbeddedModel }, runtimePackage] = await Promise.all([
    import('./runtime.ts'),
    import('./embedded-model.ts'),
    import('./runtime-package.ts'),
  ]);
  const runtimeDir = runtimePackage.runtimeDir(modelCacheDir(settings.embedded, options.stateDir));
  await runtimePackage.ensureNodeLlamaCpp({ dir: runtimeDir, onProgress: options.onRuntimeInstall });
  const runtime = await loadEmbeddedRuntime({
    path,
    settings: settings.embedded,
    contextWindow: settings.contextWindow,
    logger: options.logger,
    runtimeDir,
  });
  const model = createEmbeddedModel(runtime, settings, {
    logger: options.logger,
    name: basename(path).replace(/\.gguf$/i, ''),
  });
  // In process, the context is the one just allocated: nothing to ask.
  const context: ContextDecision = { contextWindow: model.contextWindow, from: 'server', warnings: [] };
  return { model, choice, context, dispose: () => model.dispose() };
}

/**
 * The budget for a server-backed run: what the server serves (loading an Ollama model that is not
 * loaded yet — the run loads it anyway), unless model.contextWindow is set.
 */
export async function serverContext(
  settings: Config['model'],
  options: Pick<OpenModelOptions, 'fetch' | 'detect' | 'logger'>,
): Promise<ContextDecision> {
  const serving = await detectServingContext(settings, {
    loadModel: true,
    ...options.detect,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const decision = decideContextWindow(settings.contextWindow, serving, settings.name);
  options.logger.info(
    {
      contextWindow: decision.contextWindow,
      from: decision.from,
      server: serving?.server,
      servingTokens: serving?.tokens,
    },
    'model context budget',
  );
  return decision;
}
