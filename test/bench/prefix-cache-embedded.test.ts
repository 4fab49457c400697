/**
 * Pins part (b) of bench/prefix-cache with the bench's own measuring code: the embedded runtime on
 * the tiny GGUF with Granite 4.0's chat template evaluates (by node-llama-cpp's token meter) at most
 * 1.5× the prompt tokens each step appends, and never loses the cached prefix, in a short episode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureRuntimeEpisode, runtimeRatio } from '../../bench/prefix-cache/embedded-runtime.ts';
import type { EmbeddedModel } from '../../src/model/embedded/embedded-model.ts';
import { loadTinyModel, tinyGraniteModelFile } from '../support/gguf-model.ts';

let model: EmbeddedModel;
beforeAll(async () => {
  model = await loadTinyModel(tinyGraniteModelFile(4096).path, { maxTokens: 96, contextSize: 4096 });
}, 60_000);
afterAll(async () => {
  await model?.dispose();
});

describe('bench/prefix-cache (b): embedded runtime', () => {
  it('evaluates at most 1.5× what each step appends, with no prefix invalidation', async () => {
    const meter = await measureRuntimeEpisode(model, { steps: 5, outputBytes: 256 });
    expect(meter.calls).toBe(5);
    expect(meter.appendedTokens).toBeGreaterThan(5 * 200);
    expect(runtimeRatio(meter)).toBeLessThanOrEqual(1.5);
    expect(meter.invalidations).toBe(0);
  }, 120_000);

  it('counts what a rewrite of old observations costs (the meter can fail)', async () => {
    const meter = await measureRuntimeEpisode(model, {
      steps: 5,
      outputBytes: 256,
      rewriteOldest: { keepWhole: 2 },
    });
    expect(meter.invalidations).toBeGreaterThanOrEqual(2);
    expect(runtimeRatio(meter)).toBeGreaterThan(1.2);
  }, 120_000);
});
