/**
 * Renders docs/configuration.md from the zod schema, so the reference cannot drift from what the
 * loader accepts: every setting with its env var, type, default and description, and the subset a
 * repository's `.github/conjecture.yml` may set. `node scripts/gen-config-docs.ts` writes it.
 */
import { z } from 'zod';
import { SETTING_DESCRIPTIONS } from '../config/descriptions.ts';
import { envName, settingLeaves } from '../config/env.ts';
import {
  OPERATOR_ONLY,
  REPO_ADD_ONLY,
  REPO_CEILINGS,
  REPO_CHOICES,
  REPO_TIGHTEN_ONLY,
} from '../config/repo-policy.ts';
import { configSchema, repoConfigSchema, SECRET_PATHS } from '../config/schema.ts';

interface JsonNode {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  items?: JsonNode;
  properties?: Record<string, JsonNode>;
}

export interface SettingDoc {
  path: string;
  env: string;
  type: string;
  default: string;
  description: string;
}

const jsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as unknown as JsonNode;

export function settingDocs(): SettingDoc[] {
  const root = jsonSchema(configSchema);
  return settingLeaves().map(({ path }) => {
    const node = path.reduce<JsonNode>((n, key) => n.properties?.[key] ?? {}, root);
    const dotted = path.join('.');
    const secret = (SECRET_PATHS as readonly string[]).includes(dotted) ? ' (masked by `config print`)' : '';
    return {
      path: dotted,
      env: envName(path),
      type: describeType(node),
      default: node.default === undefined ? '(unset)' : `\`${JSON.stringify(node.default)}\``,
      description: `${node.description ?? SETTING_DESCRIPTIONS[dotted] ?? ''}${secret}`.trim(),
    };
  });
}

/** Dotted paths (leaves and whole sections) that `.github/conjecture.yml` may set. */
export function repoSettablePaths(): string[] {
  const out: string[] = [];
  const walk = (node: JsonNode, prefix: string) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (child.properties) walk(child, path);
      else out.push(path);
    }
  };
  walk(jsonSchema(repoConfigSchema), '');
  return out;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export function describeType(node: JsonNode): string {
  if (node.enum) return `one of ${node.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  if (node.type === 'integer' || node.type === 'number') {
    const noun = node.type;
    const lo = node.exclusiveMinimum !== undefined ? `> ${node.exclusiveMinimum}` : undefined;
    const min = node.minimum !== undefined && node.minimum > -MAX_SAFE ? node.minimum : undefined;
    const max = node.maximum !== undefined && node.maximum < MAX_SAFE ? node.maximum : undefined;
    if (min !== undefined && max !== undefined) return `${noun} ${min}–${max}`;
    if (lo && max !== undefined) return `${noun} ${lo}, ≤ ${max}`;
    if (lo) return `${noun} ${lo}`;
    if (min !== undefined) return `${noun} ≥ ${min}`;
    return noun;
  }
  if (node.type === 'string') {
    if (node.format === 'uri') return 'URL';
    if (node.format === 'starts_with' && node.pattern)
      return `string starting with \`${startOf(node.pattern)}\``;
    return node.minLength ? 'non-empty string' : 'string';
  }
  if (node.type === 'array') return `list of ${node.items?.type ?? 'value'}s`;
  if (node.type === 'object') return `object {${Object.keys(node.properties ?? {}).join(', ')}}`;
  return node.type ?? 'any';
}

function startOf(pattern: string): string {
  return pattern.replace(/^\^/, '').replace(/\.\*$/, '').replace(/\\(.)/g, '$1');
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const INTRO = `# Configuration

<!-- Generated from src/config/schema.ts by \`node scripts/gen-config-docs.ts\`; do not edit by hand. -->

Conjecture reads its settings from these sources, each overriding the one before:

1. built-in defaults (below);
2. the user file: \`--config FILE\`, else \`$CONJECTURE_CONFIG\`, else \`./conjecture.config.{json,yml,yaml}\`,
   else \`~/.config/conjecture/config.{json,yml,yaml}\`;
3. the repository file \`.github/conjecture.yml\`, for the choices listed at the end only;
4. environment variables \`CONJECTURE_<SECTION>_<KEY>\` (an unknown \`CONJECTURE_*\` name is an error);
   the GitHub App credentials are also read from Probot's names \`APP_ID\`, \`PRIVATE_KEY\`, \`WEBHOOK_SECRET\`;
5. command-line flags: \`--set key.path=value\` (repeatable) and \`--log-level\`.

Sources 1, 2, 4 and 5 are the operator's. The repository file is not an equal layer: every limit
the operator resolves is a ceiling it may only lower, and the setup command, the image and the
model are the operator's alone (the end of this page has the rules). \`conjecture fix\`, the app and
\`config print --repo DIR\` all apply it the same way (\`applyRepoConfig\` in \`src/config/\`).

Values from the environment and \`--set\` are typed by the schema: numbers, \`true\`/\`false\`
(also \`1/0\`, \`yes/no\`, \`on/off\`), lists as JSON or comma-separated, objects as JSON.
\`conjecture config check [--repo DIR]\` reports every problem with its source and path;
\`conjecture config print\` shows the effective configuration with secrets masked.
`;

function sectionTitle(section: string): string {
  return section === '' ? 'General' : `\`${section}\``;
}

export function renderConfigDocs(): string {
  const docs = settingDocs();
  const sections = new Map<string, SettingDoc[]>();
  for (const doc of docs) {
    const section = doc.path.includes('.') ? doc.path.split('.')[0]! : '';
    sections.set(section, [...(sections.get(section) ?? []), doc]);
  }
  const out = [INTRO];
  for (const [section, rows] of sections) {
    out.push(`## ${sectionTitle(section)}`, '');
    out.push('| Setting | Environment variable | Type | Default | Description |');
    out.push('|---|---|---|---|---|');
    for (const r of rows)
      out.push(
        `| \`${r.path}\` | \`${r.env}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`,
      );
    out.push('');
  }
  out.push(...repoRules());
  return out.join('\n');
}

/** The repository file's rules, from the tables in src/config/repo-policy.ts. */
function repoRules(): string[] {
  const list = (paths: readonly string[]) => paths.map((p) => `- \`${p}\``);
  return [
    '## What `.github/conjecture.yml` may set',
    '',
    'A repository chooses only what cannot raise privileges or limits. It never sets secrets,',
    'endpoints, network, root or where the host keeps its state: any key not listed here is an error.',
    'Whatever it asked for and did not get is a note in the run summary, the PR body or the issue.',
    'Conjecture reads the file from the commit it checks out (a follow-up: from the base branch,',
    'never from its own `conjecture/*` branch), as a regular file only: a symbolic link is refused.',
    '',
    'Choices (unless the operator set the same key in the environment or with `--set`):',
    '',
    ...list(REPO_CHOICES),
    '',
    "Limits it may only lower (the operator's value is the ceiling; for `agent.costLimitUsd`, 0 means",
    'no limit and cannot lift one):',
    '',
    ...list(REPO_CEILINGS),
    '',
    'Switches it may only turn to the safer side:',
    '',
    ...Object.entries(REPO_TIGHTEN_ONLY).map(([p, v]) => `- \`${p}\`: only \`${String(v)}\``),
    '',
    "Lists it may only add to (the operator's entries stay):",
    '',
    ...list(REPO_ADD_ONLY),
    '',
    'Recognised but ignored, with a note (the operator decides):',
    '',
    ...list(OPERATOR_ONLY),
    '',
  ];
}
