import type { Config } from './schema.ts';
import { SECRET_PATHS } from './schema.ts';

function getPath(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      obj,
    );
}

/** A deep copy with every secret replaced by `***` (or left absent when unset). */
export function maskSecrets(config: Config): Config {
  const copy = structuredClone(config) as unknown as Record<string, Record<string, unknown>>;
  for (const path of SECRET_PATHS) {
    const [section, key] = path.split('.') as [string, string];
    if (copy[section]?.[key] !== undefined) copy[section][key] = '***';
  }
  return copy as unknown as Config;
}

/** The values of every configured secret; the trace redactor removes them verbatim. */
export function secretValues(config: Config): string[] {
  return SECRET_PATHS.map((p) => getPath(config, p)).filter(
    (v): v is string => typeof v === 'string' && v.length >= 4,
  );
}
