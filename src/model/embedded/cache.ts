/**
 * The model cache (`<stateDir>/models` unless `model.embedded.cacheDir`): one GGUF per reference plus
 * a small JSON sidecar saying where it came from. `resolveModelFile` turns the configured model (a
 * path or a reference) into a file on disk, pulling it once when allowed.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Config } from '../../config/schema.ts';
import { ModelError } from '../../core/errors.ts';
import { cacheFileName, findCatalogEntry } from './catalog.ts';
import { type PullOptions, type PullResult, pullModel } from './download.ts';

export interface CachedModel {
  file: string;
  path: string;
  bytes: number;
  ref?: string;
  url?: string;
  sha256?: string;
  pulledAt?: string;
}

export function modelCacheDir(settings: Config['model']['embedded'], stateDir: string): string {
  return settings.cacheDir ? resolve(stateDir, settings.cacheDir) : join(stateDir, 'models');
}

/** A path (absolute, relative, or ending in .gguf) rather than a catalog reference or URL. */
export function isModelPath(model: string): boolean {
  return (
    !/^https?:\/\//i.test(model) && (isAbsolute(model) || model.startsWith('.') || model.endsWith('.gguf'))
  );
}

/** Where the configured model is (or will be, once pulled). */
export function modelFileFor(model: string, cacheDir: string, cwd: string): string {
  return isModelPath(model) ? resolve(cwd, model) : join(cacheDir, cacheFileName(model));
}

export interface PullTarget {
  url: string;
  sha256?: string;
  ref: string;
  dest: string;
}

/** What `model pull <ref|url>` downloads; an unknown name is an error naming the known ones. */
export function pullTarget(refOrUrl: string, cacheDir: string): PullTarget {
  const entry = findCatalogEntry(refOrUrl);
  if (!entry && !/^https?:\/\//i.test(refOrUrl))
    throw new ModelError(`unknown model reference "${refOrUrl}"`, {
      code: 'model_unknown_ref',
      hint: 'run `conjecture model list --available` for the references, or give a URL or a GGUF path',
    });
  return {
    url: entry?.url ?? refOrUrl,
    sha256: entry?.sha256,
    ref: entry?.ref ?? refOrUrl,
    dest: join(cacheDir, cacheFileName(refOrUrl)),
  };
}

export interface ResolveOptions extends Pick<PullOptions, 'onProgress' | 'signal' | 'fetch' | 'logger'> {
  cwd: string;
}

/** The GGUF to load: the path itself, a cached reference, or a reference pulled now. */
export async function resolveModelFile(
  settings: Config['model']['embedded'],
  stateDir: string,
  options: ResolveOptions,
): Promise<{ path: string; pulled?: PullResult }> {
  const cacheDir = modelCacheDir(settings, stateDir);
  const path = modelFileFor(settings.model, cacheDir, options.cwd);
  if (existsSync(path)) return { path };
  if (isModelPath(settings.model))
    throw new ModelError(`model file ${path} does not exist`, {
      code: 'model_not_found',
      hint: 'fix model.embedded.model, or use a reference such as granite-4.0-h-tiny:Q4_K_M',
    });
  if (!settings.autoPull)
    throw new ModelError(`model ${settings.model} is not in the cache (${cacheDir})`, {
      code: 'model_not_found',
      hint: `run \`conjecture model pull ${settings.model}\``,
    });
  const target = pullTarget(settings.model, cacheDir);
  const pulled = await pullModel({ ...options, ...target });
  return { path: pulled.path, pulled };
}

export function listCachedModels(cacheDir: string): CachedModel[] {
  if (!existsSync(cacheDir)) return [];
  return readdirSync(cacheDir)
    .filter((f) => f.endsWith('.gguf'))
    .sort()
    .map((file) => {
      const path = join(cacheDir, file);
      const sidecar = `${path}.json`;
      const meta = existsSync(sidecar)
        ? (JSON.parse(readFileSync(sidecar, 'utf8')) as Partial<CachedModel>)
        : {};
      return { ...meta, file, path, bytes: statSync(path).size };
    });
}

/** Removes a cached model (by reference or file name) with its sidecar and any partial download. */
export function removeCachedModel(cacheDir: string, refOrFile: string): string[] {
  const file = refOrFile.endsWith('.gguf') ? refOrFile : cacheFileName(refOrFile);
  const base = join(cacheDir, file.replace(/[/\\]/g, '_'));
  const removed = [base, `${base}.json`, `${base}.partial`].filter((p) => existsSync(p));
  for (const p of removed) rmSync(p);
  if (removed.length === 0)
    throw new ModelError(`no cached model "${refOrFile}" in ${cacheDir}`, {
      code: 'model_not_found',
      hint: 'run `conjecture model list` to see what is cached',
    });
  return removed;
}
