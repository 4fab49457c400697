/**
 * Model references `conjecture model pull` understands: a short name → where the GGUF lives and how
 * to verify it. The default is Granite 4.0 H Tiny at Q4_K_M; smaller entries are what the memory check
 * suggests when a model does not fit.
 *
 * `sha256` is pinned when known. Where it is not (yet), the download is verified against the checksum
 * the server announces for the file (Hugging Face sends the LFS object's sha256 as `x-linked-etag`),
 * and a file with neither is refused unless the caller accepts an unverified download.
 */
import { DEFAULT_EMBEDDED_MODEL } from '../../config/schema.ts';

export interface CatalogEntry {
  ref: string;
  url: string;
  sha256?: string;
  /** Approximate size, for the disk check before the server tells us the exact length. */
  approxBytes: number;
  description: string;
}

const HF = 'https://huggingface.co/ibm-granite';
const GB = 1024 ** 3;

export const CATALOG: readonly CatalogEntry[] = [
  {
    ref: 'granite-4.0-h-tiny:Q4_K_M',
    url: `${HF}/granite-4.0-h-tiny-GGUF/resolve/main/granite-4.0-h-tiny-Q4_K_M.gguf`,
    approxBytes: 4.2 * GB,
    description: 'Granite 4.0 H Tiny (7B MoE, 1B active), 4-bit: the default',
  },
  {
    ref: 'granite-4.0-h-tiny:Q3_K_M',
    url: `${HF}/granite-4.0-h-tiny-GGUF/resolve/main/granite-4.0-h-tiny-Q3_K_M.gguf`,
    approxBytes: 3.4 * GB,
    description: 'Granite 4.0 H Tiny, 3-bit: less memory, somewhat weaker',
  },
  {
    ref: 'granite-4.0-micro:Q4_K_M',
    url: `${HF}/granite-4.0-micro-GGUF/resolve/main/granite-4.0-micro-Q4_K_M.gguf`,
    approxBytes: 2.1 * GB,
    description: 'Granite 4.0 Micro (3B dense), 4-bit: for machines with little memory',
  },
];

export function findCatalogEntry(ref: string): CatalogEntry | undefined {
  const wanted = ref.toLowerCase();
  return CATALOG.find((e) => e.ref.toLowerCase() === wanted);
}

/** Catalog entries smaller than `bytes`, largest first: what to suggest when a model does not fit. */
export function smallerThan(bytes: number): CatalogEntry[] {
  return CATALOG.filter((e) => e.approxBytes < bytes).sort((a, b) => b.approxBytes - a.approxBytes);
}

/** The file name a reference or URL is cached under: `granite-4.0-h-tiny-Q4_K_M.gguf`. */
export function cacheFileName(refOrUrl: string): string {
  const entry = findCatalogEntry(refOrUrl);
  const source = entry ? entry.url : refOrUrl;
  const last = URL.canParse(source)
    ? decodeURIComponent(new URL(source).pathname.split('/').pop() ?? '')
    : source.replace(':', '-');
  const safe = last.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe.endsWith('.gguf') ? safe : `${safe || 'model'}.gguf`;
}

export { DEFAULT_EMBEDDED_MODEL };
