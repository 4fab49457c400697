/**
 * Best effort: a GitHub Actions step whose `run:` looks like it runs the tests. Used last, when the
 * repository names its tests nowhere else. Lines using `${{ }}` expressions are skipped: outside
 * Actions they do not mean anything.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { classifyCommand, isPackageTestCommand } from './classify.ts';
import type { DiscoveredTestCommand } from './types.ts';

const TEST_LINE = /\b(test|tests|pytest|tox)\b/;

function runLines(workflow: unknown): string[] {
  const jobs = (workflow as { jobs?: unknown } | null)?.jobs;
  if (!jobs || typeof jobs !== 'object') return [];
  const lines: string[] = [];
  for (const job of Object.values(jobs as Record<string, unknown>)) {
    const steps = (job as { steps?: unknown } | null)?.steps;
    if (!Array.isArray(steps)) continue;
    for (const step of steps) {
      const run = (step as { run?: unknown } | null)?.run;
      if (typeof run === 'string') lines.push(...run.split('\n').map((l) => l.trim()));
    }
  }
  return lines;
}

function looksLikeTests(line: string): boolean {
  if (line === '' || line.startsWith('#') || line.includes('${{')) return false;
  if (isPackageTestCommand(line)) return true;
  const { runner } = classifyCommand(line);
  if (runner === 'make') return /\bmake\s+(test|check)\b/.test(line);
  return runner !== 'unknown' || (/^(npm|yarn|pnpm)\s+run\s+\S*test/.test(line) && TEST_LINE.test(line));
}

export function discoverCi(repoDir: string): DiscoveredTestCommand | null {
  const dir = join(repoDir, '.github', 'workflows');
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  for (const file of files) {
    let workflow: unknown;
    try {
      workflow = parseYaml(readFileSync(join(dir, file), 'utf8'));
    } catch {
      continue; // a broken workflow is not ours to report; try the next one
    }
    const line = runLines(workflow).find(looksLikeTests);
    if (line) {
      const { runner, appendable } = classifyCommand(line);
      return { command: line, runner, source: `.github/workflows/${file}`, appendable };
    }
  }
  return null;
}
