/**
 * Refuse to load a model that cannot fit: the weights (about the file size) plus the context's KV
 * cache and compute buffers must fit in the memory that is free now. Loading anyway would push the
 * host into swap or the OOM killer halfway through a job, far from the cause.
 */
import { freemem } from 'node:os';
import { ModelError } from '../../core/errors.ts';
import { smallerThan } from './catalog.ts';
import { formatBytes } from './download.ts';

export interface MemoryNeed {
  modelBytes: number;
  contextBytes: number;
}

export interface MemoryFit {
  fits: boolean;
  requiredBytes: number;
  freeBytes: number;
}

/** Headroom for the rest of the process and the host. */
const HEADROOM = 0.1;

export function assessMemory(need: MemoryNeed, freeBytes: number): MemoryFit {
  const requiredBytes = Math.ceil((need.modelBytes + need.contextBytes) * (1 + HEADROOM));
  return { fits: requiredBytes <= freeBytes, requiredBytes, freeBytes };
}

/** Throws `model_too_large` with smaller models to try when `need` does not fit in `freeBytes`. */
export function ensureMemoryFits(label: string, need: MemoryNeed, freeBytes = freemem()): MemoryFit {
  const fit = assessMemory(need, freeBytes);
  if (fit.fits) return fit;
  const smaller = smallerThan(need.modelBytes).map((e) => e.ref);
  const suggestions = smaller.length > 0 ? smaller : ['granite-4.0-micro:Q4_K_M'];
  throw new ModelError(
    `model ${label} needs about ${formatBytes(fit.requiredBytes)} (weights ${formatBytes(need.modelBytes)} + context ${formatBytes(need.contextBytes)}), but only ${formatBytes(freeBytes)} of memory is free`,
    {
      code: 'model_too_large',
      hint: `use a smaller quantization or the micro model (set model.embedded.model to ${suggestions.join(' or ')}), lower model.embedded.contextSize, or free memory`,
    },
  );
}
