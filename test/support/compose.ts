/**
 * Reads a Compose file the way `docker compose` does before validating it: `${VAR}`,
 * `${VAR:-default}` and `${VAR-default}` interpolated from the given variables, `$$` unescaped,
 * and YAML merge keys (`<<: *anchor`) resolved.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** The variable names a Compose file interpolates. */
export function composeVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(VARIABLE)) {
    const name = m[1] ?? m[4];
    if (name) names.add(name);
  }
  return names;
}

export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(VARIABLE, (all, braced?: string, op?: string, fallback?: string, bare?: string) => {
    if (all === '$$') return '$';
    const v = vars[(braced ?? bare)!];
    if (op === ':-') return v ? v : (fallback ?? '');
    if (op === '-') return v ?? fallback ?? '';
    return v ?? '';
  });
}

export function loadCompose(file: string, vars: Record<string, string | undefined>): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return interpolate(v, vars);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(parse(readFileSync(file, 'utf8'), { merge: true })) as Record<string, unknown>;
}

/** `KEY=value` lines of a dotenv file (comments and blank lines skipped). */
export function readDotenv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}
