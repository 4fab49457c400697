/**
 * Loads a GGUF in-process with node-llama-cpp: one `Llama` per process (it picks CPU, CUDA, Vulkan or
 * Metal from the prebuilt binaries), the memory check before the weights are read, then the model and
 * one context sized from config. node-llama-cpp is imported lazily: it is large and only this
 * provider needs it; it is an optional peer, found or installed by runtime-package.ts.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';
import type { Config } from '../../config/schema.ts';
import { ModelError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { RECOMMENDED_CONTEXT_TOKENS } from '../context-advice.ts';
import { ensureMemoryFits, type MemoryFit, type MemoryNeed } from './memory.ts';
import { findNodeLlamaCpp, type NodeLlamaCpp } from './runtime-package.ts';

export type EmbeddedSettings = Config['model']['embedded'];

export interface EmbeddedRuntime {
  /** The node-llama-cpp module the runtime was loaded with. */
  lib: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  path: string;
  memory: MemoryFit;
  dispose(): Promise<void>;
}

let llamaPromise: Promise<Llama> | undefined;

/** node-llama-cpp as found (installed, or in `runtimeDir`), or a clear error naming the fix. */
export async function requireNodeLlamaCpp(runtimeDir?: string): Promise<NodeLlamaCpp> {
  const lib = await findNodeLlamaCpp(runtimeDir);
  if (lib) return lib;
  throw new ModelError('the embedded model runtime (node-llama-cpp) is not installed', {
    code: 'embedded_runtime_unavailable',
    hint: '`conjecture model pull` installs it (CPU binary only); or use a model server (model.provider: openai-compatible)',
  });
}

/** The process-wide `Llama`; built never (no compiler or GitHub download): prebuilt binaries only. */
export function getSharedLlama(logger: Logger, runtimeDir?: string): Promise<Llama> {
  llamaPromise ??= (async () => {
    const { getLlama, LlamaLogLevel } = await requireNodeLlamaCpp(runtimeDir).catch((err: unknown) => {
      llamaPromise = undefined;
      throw err;
    });
    try {
      return await getLlama({
        build: 'never',
        logLevel: LlamaLogLevel.warn,
        logger: (level, message) => logger.debug({ component: 'llama.cpp', level }, message.trim()),
      });
    } catch (err) {
      llamaPromise = undefined;
      throw new ModelError(`the embedded model runtime cannot start: ${(err as Error).message}`, {
        code: 'embedded_runtime_unavailable',
        cause: err,
        hint: 'reinstall node-llama-cpp so its prebuilt binary for this platform is present, or use a model server (model.provider: openai-compatible)',
      });
    }
  })();
  return llamaPromise;
}

export interface LoadOptions {
  path: string;
  settings: EmbeddedSettings;
  /** model.contextWindow, used when embedded.contextSize is not set (else the recommended size). */
  contextWindow: number | undefined;
  logger: Logger;
  /** Where `conjecture model pull` installed node-llama-cpp, when it is not a normal dependency. */
  runtimeDir?: string;
  /** Injected for tests of the memory check. */
  freeBytes?: number;
}

/** What loading `path` with these settings would need; doctor reports it without loading. */
export async function estimateMemory(
  llama: Llama,
  path: string,
  settings: EmbeddedSettings,
  contextWindow: number | undefined,
): Promise<MemoryNeed & { contextSize: number }> {
  const { readGgufFileInfo, GgufInsights } = await requireNodeLlamaCpp();
  const insights = await GgufInsights.from(await readGgufFileInfo(path), llama);
  const wanted = settings.contextSize ?? contextWindow ?? RECOMMENDED_CONTEXT_TOKENS;
  const contextSize = Math.min(wanted, insights.trainContextSize ?? wanted);
  const ctx = await insights.estimateContextResourceRequirementsV2({
    contextSize,
    modelGpuLayers: 0,
    batchSize: settings.batchSize,
  });
  return { modelBytes: statSync(path).size, contextBytes: ctx.cpuRam + ctx.gpuVram, contextSize };
}

export async function loadEmbeddedRuntime(options: LoadOptions): Promise<EmbeddedRuntime> {
  const { path, settings, logger } = options;
  const llama = await getSharedLlama(logger, options.runtimeDir);
  const lib = await requireNodeLlamaCpp(options.runtimeDir);
  const need = await estimateMemory(llama, path, settings, options.contextWindow);
  const vram = llama.gpu ? (await llama.getVramState()).free : 0;
  const free = options.freeBytes ?? (await import('node:os')).freemem() + vram;
  const memory = ensureMemoryFits(basename(path), need, free);
  const model = await llama.loadModel({
    modelPath: path,
    gpuLayers: settings.gpuLayers === -1 ? 'auto' : settings.gpuLayers,
  });
  try {
    const context = await model.createContext({
      contextSize: need.contextSize,
      ...(settings.batchSize ? { batchSize: settings.batchSize } : {}),
      ...(settings.threads > 0 ? { threads: settings.threads } : {}),
    });
    logger.info(
      {
        path,
        contextSize: context.contextSize,
        gpu: llama.gpu,
        gpuLayers: model.gpuLayers,
        threads: context.currentThreads,
      },
      'embedded model loaded',
    );
    return {
      lib,
      llama,
      model,
      context,
      path,
      memory,
      async dispose() {
        await context.dispose();
        await model.dispose();
      },
    };
  } catch (err) {
    await model.dispose();
    throw new ModelError(`cannot create a context for ${basename(path)}: ${(err as Error).message}`, {
      code: 'model_too_large',
      cause: err,
      hint: 'lower model.embedded.contextSize, or use a smaller model (granite-4.0-micro:Q4_K_M)',
    });
  }
}
