/**
 * The tiny GGUF (see gguf.ts) loaded as an embedded `Model`, for tests and benches. One CPU thread:
 * with random weights and tiny tensors, more threads only add synchronisation (and on a busy
 * machine, spinning threads make it far slower).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.ts';
import type { Logger } from '../../src/core/log.ts';
import { silentLogger } from '../../src/core/log.ts';
import { createEmbeddedModel, type EmbeddedModel } from '../../src/model/embedded/embedded-model.ts';
import { loadEmbeddedRuntime } from '../../src/model/embedded/runtime.ts';
import { type TinyGguf, type TinyGgufOptions, writeTinyGguf } from './gguf.ts';

export const TINY_MODEL_SETTINGS = { threads: 1, contextSize: 2048 } as const;

/** Writes the tiny model into a fresh temp dir; returns its path and checksum. */
export function tinyModelFile(options: TinyGgufOptions = {}): TinyGguf & { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tiny-gguf-'));
  const path = join(dir, 'tiny.gguf');
  return { ...writeTinyGguf(path, options), path, dir };
}

/** Granite 4.0's published chat template (test/fixtures/chat-templates/granite-4.0.jinja). */
export const GRANITE_TEMPLATE = readFileSync(
  new URL('../fixtures/chat-templates/granite-4.0.jinja', import.meta.url),
  'utf8',
);

/** The tiny model carrying Granite 4.0's chat template, role tokens and end-of-text token. */
export function tinyGraniteModelFile(contextLength?: number): TinyGguf & { path: string; dir: string } {
  return tinyModelFile({
    ...(contextLength ? { contextLength } : {}),
    chatTemplate: GRANITE_TEMPLATE,
    controlTokens: ['<|start_of_role|>', '<|end_of_role|>', '<|end_of_text|>'],
    eosToken: '<|end_of_text|>',
    addBosToken: false,
    addSpacePrefix: false,
  });
}

export async function loadTinyModel(
  path: string,
  options: { logger?: Logger; maxTokens?: number; freeBytes?: number; contextSize?: number } = {},
): Promise<EmbeddedModel> {
  const config = configSchema.parse({
    model: {
      provider: 'embedded',
      maxTokens: options.maxTokens ?? 256,
      embedded: {
        model: path,
        ...TINY_MODEL_SETTINGS,
        ...(options.contextSize ? { contextSize: options.contextSize } : {}),
      },
    },
  });
  const logger = options.logger ?? silentLogger();
  const runtime = await loadEmbeddedRuntime({
    path,
    settings: config.model.embedded,
    contextWindow: config.model.contextWindow,
    logger,
    freeBytes: options.freeBytes,
  });
  return createEmbeddedModel(runtime, config.model, { logger, name: 'tiny' });
}
