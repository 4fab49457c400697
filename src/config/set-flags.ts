/**
 * `--set key.path=value` overrides from the command line, typed by the schema the same way
 * environment variables are, and checked against their setting alone so an error names the flag.
 */
import type { ConfigIssue } from '../core/errors.ts';
import { coerce, settingLeaves } from './env.ts';

export interface SetFlags {
  /** Dotted path -> typed value, ready for `loadConfig({ flags })`. */
  flags: Record<string, unknown>;
  issues: ConfigIssue[];
}

export function parseSetFlags(pairs: readonly string[]): SetFlags {
  const leaves = new Map(settingLeaves().map((l) => [l.path.join('.'), l]));
  const flags: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (eq <= 0) {
      issues.push({
        source: '--set',
        path: key,
        message: 'expected key.path=value, e.g. --set model.name=granite4:tiny-h',
      });
      continue;
    }
    const leaf = leaves.get(key);
    if (!leaf) {
      issues.push({
        source: '--set',
        path: key,
        message: 'unknown setting; see docs/configuration.md for names',
      });
      continue;
    }
    const value = coerce(pair.slice(eq + 1), leaf.schema);
    if (value instanceof Error) {
      issues.push({ source: '--set', path: key, message: value.message });
      continue;
    }
    const checked = leaf.schema.safeParse(value);
    if (checked.success) flags[key] = value;
    else
      issues.push(...checked.error.issues.map((i) => ({ source: '--set', path: key, message: i.message })));
  }
  return { flags, issues };
}
