import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/core/errors.ts';
import { isModelPath, modelFileFor, pullTarget } from '../../../src/model/embedded/cache.ts';
import { cacheFileName, findCatalogEntry, smallerThan } from '../../../src/model/embedded/catalog.ts';
import { assessMemory, ensureMemoryFits } from '../../../src/model/embedded/memory.ts';

const GiB = 1024 ** 3;

describe('the memory check', () => {
  it('counts weights, context and headroom against free memory', () => {
    expect(assessMemory({ modelBytes: 4 * GiB, contextBytes: 1 * GiB }, 6 * GiB)).toMatchObject({
      fits: true,
    });
    expect(assessMemory({ modelBytes: 4 * GiB, contextBytes: 1 * GiB }, 5.2 * GiB)).toMatchObject({
      fits: false,
    });
  });

  it('names a smaller quantization and the micro model when the default does not fit', () => {
    const tiny = findCatalogEntry('granite-4.0-h-tiny:Q4_K_M')!;
    const err = (() => {
      try {
        ensureMemoryFits('granite', { modelBytes: tiny.approxBytes, contextBytes: GiB }, 3 * GiB);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('model_too_large');
    expect((err as ModelError).message).toMatch(/needs about 5\.7 GiB .* only 3\.0 GiB/);
    expect((err as ModelError).hint).toContain('granite-4.0-h-tiny:Q3_K_M or granite-4.0-micro:Q4_K_M');
  });

  it('still suggests the micro model when nothing in the catalog is smaller', () => {
    expect(() => ensureMemoryFits('x', { modelBytes: 1024, contextBytes: 0 }, 10)).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('granite-4.0-micro:Q4_K_M') }),
    );
    expect(smallerThan(1024)).toEqual([]);
  });
});

describe('model references and paths', () => {
  it('caches a reference under the file name of its URL', () => {
    expect(cacheFileName('granite-4.0-h-tiny:Q4_K_M')).toBe('granite-4.0-h-tiny-Q4_K_M.gguf');
    expect(cacheFileName('http://127.0.0.1:9/a/b/My%20Model.gguf')).toBe('My_Model.gguf');
    expect(modelFileFor('granite-4.0-micro:Q4_K_M', '/c', '/w')).toBe('/c/granite-4.0-micro-Q4_K_M.gguf');
    expect(modelFileFor('./m.gguf', '/c', '/w')).toBe('/w/m.gguf');
  });

  it('tells paths from references and rejects unknown references with the fix', () => {
    expect(isModelPath('/models/x.gguf')).toBe(true);
    expect(isModelPath('granite-4.0-h-tiny:Q4_K_M')).toBe(false);
    expect(isModelPath('https://host/x.gguf')).toBe(false);
    expect(() => pullTarget('granite-9:huge', '/c')).toThrow(
      expect.objectContaining({
        code: 'model_unknown_ref',
        hint: expect.stringContaining('model list --available'),
      }),
    );
  });
});
