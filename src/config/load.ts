/**
 * Builds the effective configuration. The operator's: defaults < user file < environment < flags.
 * A repository's `.github/conjecture.yml` then meets it through `applyRepoConfig` only — choices
 * where the environment and flags left them open, limits only lowered (THREATS.md #27) — here and
 * in the pipeline alike. Only this module reads the environment, and it takes `env` as a parameter.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../core/errors.ts';
import { envToConfig } from './env.ts';
import { readRepoConfigFile } from './repo-file.ts';
import { applyRepoConfig, leafPaths } from './repo-policy.ts';
import { type Config, type ConfigInput, configSchema, type RepoConfig, repoConfigSchema } from './schema.ts';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit user config file; otherwise `$CONJECTURE_CONFIG`, ./conjecture.config.{json,yml,yaml}, ~/.config/conjecture/config.{json,yml,yaml}. */
  userFile?: string;
  /** Repository checkout whose `.github/conjecture.yml` applies, or its text already read. */
  repoDir?: string;
  repoText?: string;
  /** Dotted overrides from CLI flags, e.g. `{ 'model.name': 'x' }` or a nested object. */
  flags?: Record<string, unknown>;
  cwd?: string;
}

export interface LoadedConfig {
  config: Config;
  /** Which files contributed, in precedence order. */
  sources: string[];
  /** Dotted settings the environment or flags set: a repository file never overrides them. */
  pinned: string[];
  /** What the repository file asked for and did not get (empty without one). */
  notes: string[];
}

type Plain = Record<string, unknown>;

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? {};
  const cwd = options.cwd ?? process.cwd();
  const issues: ConfigIssue[] = [];
  const sources: string[] = [];
  let merged: Plain = {};

  const userFile = options.userFile ?? env.CONJECTURE_CONFIG ?? findUserFile(cwd, env);
  if (userFile) {
    const data = readConfigFile(resolve(cwd, userFile), issues);
    if (data) {
      const checked = checkPartial(configSchema, data, userFile, issues);
      if (checked) merged = deepMerge(merged, data);
      sources.push(userFile);
    }
  }

  const repo = readRepoConfig(options, issues);
  const pinned: string[] = [];
  const fromEnv = envToConfig(env, issues);
  if (Object.keys(fromEnv).length > 0) {
    merged = deepMerge(merged, fromEnv);
    pinned.push(...leafPaths(fromEnv));
    sources.push('environment');
  }
  if (options.flags) {
    const flags = expandDotted(options.flags);
    merged = deepMerge(merged, flags);
    pinned.push(...leafPaths(flags));
    sources.push('flags');
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const result = configSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(zodIssues(result.error, 'merged configuration'));
  // Relative to where the command ran, as Probot reads PRIVATE_KEY_PATH; the file is read when used.
  const keyPath = result.data.github.privateKeyPath;
  if (keyPath) result.data.github.privateKeyPath = resolve(cwd, keyPath);
  if (!repo) return { config: result.data, sources, pinned, notes: [] };
  const applied = applyRepoConfig(result.data, repo.data, { pinned, source: repo.source });
  return { config: applied.config, sources: [...sources, repo.source], pinned, notes: applied.notes };
}

/** Parses `.github/conjecture.yml` text on its own; used by the app to answer with the exact field. */
export function parseRepoConfig(text: string, source = '.github/conjecture.yml'): RepoConfig {
  const issues: ConfigIssue[] = [];
  const data = parseText(text, source, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  const result = repoConfigSchema.safeParse(data ?? {});
  if (!result.success) throw new ConfigError(zodIssues(result.error, source));
  return result.data;
}

function readRepoConfig(
  options: LoadConfigOptions,
  issues: ConfigIssue[],
): { data: RepoConfig; source: string } | null {
  try {
    const file =
      options.repoText !== undefined
        ? { text: options.repoText, source: '.github/conjecture.yml' }
        : options.repoDir
          ? readRepoConfigFile(options.repoDir)
          : null;
    return file ? { data: parseRepoConfig(file.text, file.source), source: file.source } : null;
  } catch (err) {
    if (err instanceof ConfigError) issues.push(...err.issues);
    else throw err;
    return null;
  }
}

function findUserFile(cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  const home = env.HOME ?? homedir();
  const candidates = ['json', 'yml', 'yaml'].flatMap((ext) => [
    join(cwd, `conjecture.config.${ext}`),
    join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'conjecture', `config.${ext}`),
  ]);
  return candidates.find((c) => existsSync(c));
}

function readConfigFile(path: string, issues: ConfigIssue[]): Plain | null {
  if (!existsSync(path)) {
    issues.push({ source: path, path: '', message: 'file not found' });
    return null;
  }
  return parseText(readFileSync(path, 'utf8'), path, issues);
}

function parseText(text: string, source: string, issues: ConfigIssue[]): Plain | null {
  let data: unknown;
  try {
    data = source.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    issues.push({
      source,
      path: '',
      message: `not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
    });
    return null;
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    issues.push({ source, path: '', message: 'expected a mapping of settings at the top level' });
    return null;
  }
  return data as Plain;
}

/** Checks one source alone so its errors name that file, not the merge. */
function checkPartial(schema: z.ZodType, data: Plain, source: string, issues: ConfigIssue[]): boolean {
  const result = schema.safeParse(data);
  if (result.success) return true;
  issues.push(...zodIssues(result.error, source));
  return false;
}

export function zodIssues(error: z.ZodError, source: string): ConfigIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return {
        source,
        path: path,
        message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
      };
    }
    return { source, path, message: issue.message };
  });
}

export function expandDotted(flags: Record<string, unknown>): Plain {
  let out: Plain = {};
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    const parts = key.split('.');
    const nested: Plain = {};
    let cursor = nested;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) cursor[part] = value;
      else cursor = cursor[part] = {} as Plain;
    });
    out = deepMerge(out, nested);
  }
  return out;
}

export function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlain(prev) && isPlain(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type { Config, ConfigInput };
