/**
 * What a repository's `.github/conjecture.yml` may do to the operator's configuration (THREATS.md
 * #27): choose what cannot raise privileges or limits (its test command, the action format, PR
 * niceties), only lower limits (each operator value is a hard ceiling), only tighten the patch
 * policy — and nothing of what runs with more reach than the agent (setup command, image, model).
 * Every value it asked for and did not get becomes a note the run shows.
 */
import type { Config, RepoConfig } from './schema.ts';

/** A setting the repository may choose outright, unless the operator pinned it (environment or flags). */
export const REPO_CHOICES = [
  'model.temperature',
  'agent.actionFormat',
  'validate.enabled',
  'validate.testCommand',
  'github.onValidationFailure',
  'github.requestReview',
  'github.checkRun',
] as const;

/** A limit the repository may only lower: the operator's value is the ceiling. */
export const REPO_CEILINGS = [
  'model.maxTokens',
  'agent.stepLimit',
  'agent.tokenLimit',
  'agent.costLimitUsd',
  'agent.wallClockMs',
  'agent.commandTimeoutMs',
  'agent.maxObservationChars',
  'agent.maxFormatErrors',
  'agent.attempts',
  'validate.timeoutMs',
  'validate.fixRounds',
  'sandbox.memoryMb',
  'sandbox.cpus',
  'sandbox.pids',
  'sandbox.tmpfsMb',
  'github.maxDeletedFiles',
] as const;

/** Switches the repository may only turn towards the safer side (the value given here). */
export const REPO_TIGHTEN_ONLY = { 'github.draft': true, 'agent.parallelAttempts': false } as const;

/** Lists the repository may only add to. */
export const REPO_ADD_ONLY = ['github.protectedPaths'] as const;

/** Recognised in the repository file but decided by the operator alone; ignored with a note. */
export const OPERATOR_ONLY = ['model.name', 'validate.setupCommand', 'sandbox.image'] as const;

/** Costs where 0 means "no limit": a repository's 0 cannot lift the operator's limit. */
const ZERO_IS_UNLIMITED = new Set<string>(['agent.costLimitUsd']);

export interface RepoConfigOutcome {
  config: Config;
  /** What the repository asked for and did not get, for the run's summary, PR and issue. */
  notes: string[];
}

type Plain = Record<string, unknown>;

/**
 * The one way a repository file meets the operator's configuration: `config` is the operator's
 * (defaults < user file < environment < flags); `pinned` lists the dotted settings the
 * environment or flags set, which a repository's choice never overrides.
 */
export function applyRepoConfig(
  config: Config,
  repo: RepoConfig,
  options: { pinned?: readonly string[]; source?: string } = {},
): RepoConfigOutcome {
  const source = options.source ?? '.github/conjecture.yml';
  const pinned = new Set(options.pinned ?? []);
  const out = structuredClone(config) as unknown as Plain;
  const notes: string[] = [];
  const asked = (path: string) => get(repo, path);

  for (const path of REPO_CHOICES) {
    const value = asked(path);
    if (value === undefined) continue;
    if (pinned.has(path))
      notes.push(`${path} from ${source} is not used: the operator set it (environment or flags)`);
    else set(out, path, value);
  }
  for (const path of REPO_CEILINGS) {
    const value = asked(path) as number | undefined;
    if (value === undefined) continue;
    const ceiling = get(out, path) as number;
    const unlimited = ZERO_IS_UNLIMITED.has(path);
    if (unlimited && ceiling === 0 && value > 0) set(out, path, value);
    else if (unlimited && value === 0 && ceiling > 0)
      notes.push(`${path}: 0 (no limit) in ${source} cannot lift the operator's limit of ${ceiling}`);
    else if (value <= ceiling) set(out, path, value);
    else notes.push(`${path}: ${value} in ${source} is above the operator's limit; using ${ceiling}`);
  }
  for (const [path, safe] of Object.entries(REPO_TIGHTEN_ONLY)) {
    const value = asked(path);
    if (value === undefined || value === get(out, path)) continue;
    if (value === safe) set(out, path, value);
    else
      notes.push(
        `${path}: ${String(value)} in ${source} is not allowed by the operator; keeping ${String(safe)}`,
      );
  }
  for (const path of REPO_ADD_ONLY) {
    const value = asked(path) as string[] | undefined;
    if (value === undefined) continue;
    const current = get(out, path) as string[];
    set(out, path, [...current, ...value.filter((v) => !current.includes(v))]);
    if (current.some((v) => !value.includes(v)))
      notes.push(`${path} in ${source} can only add paths; the operator's ${current.length} stay protected`);
  }
  for (const path of OPERATOR_ONLY) {
    if (asked(path) !== undefined) notes.push(`${path} in ${source} is ignored: only the operator sets it`);
  }
  return { config: out as unknown as Config, notes };
}

/** Every dotted leaf path of a plain object (arrays are leaves). */
export function leafPaths(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return prefix ? [prefix] : [];
  return Object.entries(obj as Plain).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

function get(obj: unknown, path: string): unknown {
  let cursor = obj;
  for (const key of path.split('.')) {
    if (typeof cursor !== 'object' || cursor === null) return undefined;
    cursor = (cursor as Plain)[key];
  }
  return cursor;
}

function set(obj: Plain, path: string, value: unknown): void {
  const keys = path.split('.');
  let cursor = obj;
  for (const key of keys.slice(0, -1)) {
    cursor[key] ??= {};
    cursor = cursor[key] as Plain;
  }
  cursor[keys.at(-1)!] = value;
}
