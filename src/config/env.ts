/**
 * `CONJECTURE_<SECTION>_<KEY>` environment variables, e.g. `CONJECTURE_MODEL_BASE_URL`,
 * `CONJECTURE_SANDBOX_MEMORY_MB`, `CONJECTURE_LOG_LEVEL`. Names are derived from the schema, so
 * every setting has one and an unknown `CONJECTURE_*` name is an error, not silently ignored.
 * GitHub App credentials also come from Probot's names (APP_ID, PRIVATE_KEY, PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET).
 */
import { z } from 'zod';
import type { ConfigIssue } from '../core/errors.ts';
import { configSchema } from './schema.ts';

const NOT_SETTINGS = new Set(['CONJECTURE_CONFIG']);
const PROBOT_NAMES: Record<string, string> = {
  APP_ID: 'github.appId',
  PRIVATE_KEY: 'github.privateKey',
  PRIVATE_KEY_PATH: 'github.privateKeyPath',
  WEBHOOK_SECRET: 'github.webhookSecret',
};

interface Leaf {
  path: string[];
  schema: z.ZodType;
}

export function envName(path: string[]): string {
  return `CONJECTURE_${path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')}`;
}

export function settingLeaves(): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (schema: z.ZodType, path: string[]) => {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject && !(path.length === 2 && path[1] === 'price')) {
      for (const [k, v] of Object.entries(inner.shape)) walk(v as z.ZodType, [...path, k]);
    } else {
      leaves.push({ path, schema: inner });
    }
  };
  walk(configSchema, []);
  return leaves;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    const def = (s as { def?: { type?: string; innerType?: z.ZodType; in?: z.ZodType } }).def;
    if (def?.innerType && ['default', 'prefault', 'optional', 'nullable'].includes(def.type ?? ''))
      s = def.innerType;
    else if (def?.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

export function envToConfig(env: NodeJS.ProcessEnv, issues: ConfigIssue[]): Record<string, unknown> {
  const byName = new Map(settingLeaves().map((l) => [envName(l.path), l]));
  const out: Record<string, unknown> = {};
  const set = (path: string[], value: unknown) => {
    let cursor = out;
    for (const p of path.slice(0, -1)) {
      cursor[p] ??= {};
      cursor = cursor[p] as Record<string, unknown>;
    }
    cursor[path[path.length - 1]!] = value;
  };
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || raw === '') continue;
    const probotPath = PROBOT_NAMES[name];
    if (probotPath) {
      set(probotPath.split('.'), raw);
      continue;
    }
    if (!name.startsWith('CONJECTURE_') || NOT_SETTINGS.has(name)) continue;
    const leaf = byName.get(name);
    if (!leaf) {
      issues.push({
        source: `env ${name}`,
        path: '',
        message: 'unknown setting; see `conjecture config print` for names',
      });
      continue;
    }
    const value = coerce(raw, leaf.schema);
    if (value instanceof Error)
      issues.push({ source: `env ${name}`, path: leaf.path.join('.'), message: value.message });
    else set(leaf.path, value);
  }
  return out;
}

/** Turns the text of an env var or `--set` value into the type its setting expects. */
export function coerce(raw: string, schema: z.ZodType): unknown {
  if (schema instanceof z.ZodNumber) {
    const n = Number(raw);
    return Number.isFinite(n) ? n : new Error(`expected a number, got "${raw}"`);
  }
  if (schema instanceof z.ZodBoolean) {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    return new Error(`expected true or false, got "${raw}"`);
  }
  if (schema instanceof z.ZodArray || schema instanceof z.ZodObject) {
    try {
      return JSON.parse(raw);
    } catch {
      if (schema instanceof z.ZodArray)
        return raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      return new Error('expected JSON');
    }
  }
  return raw;
}
