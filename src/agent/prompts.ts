/**
 * Prompt templates are Markdown files (prompts/ at the package root, or `agent.promptsDir`) with
 * `{{name}}` placeholders. Rendering is plain substitution: values are inserted as they are, and a
 * placeholder with no value is an error, so a typo can't silently reach the model. Every text the
 * model reads comes from here; the set is loaded once per run and passed down.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SUBMIT_SENTINEL = 'CONJECTURE_SUBMIT';

const NAMES = [
  'system',
  'format-text',
  'format-tool',
  'instance',
  'instructions',
  'comment',
  'format-error',
  'format-problems',
  'format-how-text',
  'format-how-tool',
  'not-run',
  'truncated',
  'observation',
  'output-elided',
  'elided',
  'elided-steps',
  'timeout',
  'feedback',
  'submit-empty',
] as const;
export type PromptName = (typeof NAMES)[number];
export type Prompts = Record<PromptName, string>;

export const BUNDLED_PROMPTS_DIR = new URL('../../prompts/', import.meta.url).pathname;

export function loadPrompts(dir?: string): Prompts {
  const out = {} as Prompts;
  for (const name of NAMES) {
    const custom = dir ? join(dir, `${name}.md`) : null;
    const path = custom && existsSync(custom) ? custom : join(BUNDLED_PROMPTS_DIR, `${name}.md`);
    out[name] = readFileSync(path, 'utf8');
  }
  return out;
}

export function render(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`prompt placeholder {{${key}}} has no value`);
    return String(value);
  });
}

/** A template used inside another text: the file's surrounding blank lines and final newline go. */
export function renderFragment(template: string, values: Record<string, string | number> = {}): string {
  return render(template.trim(), values);
}
