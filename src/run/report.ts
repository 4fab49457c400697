/** Human and machine summaries of a run, for the CLI. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ConjectureError } from '../core/errors.ts';
import type { Progress, RunResult } from './types.ts';

export function describeProgress(p: Progress): string {
  const attempt = p.attempts && p.attempts > 1 ? ` (attempt ${p.attempt}/${p.attempts})` : '';
  switch (p.phase) {
    case 'checkout':
      return `checking out ${p.detail ?? ''}`;
    case 'setup':
      return `installing dependencies: ${p.detail ?? ''}`;
    case 'baseline':
      return `baseline tests: ${p.detail ?? ''}`;
    case 'agent':
      return `agent step ${p.step ?? 0}/${p.maxSteps ?? '?'}${attempt}`;
    case 'validating':
      return `validating${attempt}: ${p.detail ?? ''}`;
    case 'selecting':
      return 'choosing the best attempt';
    case 'done':
      return `done: ${p.detail ?? ''}`;
  }
}

export function summaryJson(r: RunResult): Record<string, unknown> {
  return {
    outcome: r.outcome,
    reason: r.reason,
    outDir: r.outDir,
    patch: join(r.outDir, 'patch.diff'),
    baseCommit: r.baseCommit,
    model: r.model,
    testCommand: r.testCommand,
    steps: r.attempts.reduce((s, a) => s + a.steps, 0),
    usage: r.usage,
    durationMs: Math.round(r.durationMs),
    chosenAttempt: r.chosen?.attempt ?? null,
  };
}

export function summaryLines(r: RunResult, applied: boolean): string[] {
  const steps = r.attempts.reduce((s, a) => s + a.steps, 0);
  const tokens = r.usage.promptTokens + r.usage.completionTokens;
  const cached = r.usage.cachedPromptTokens;
  const cache = cached === undefined ? '' : ` (${cached} of ${r.usage.promptTokens} prompt tokens cached)`;
  const lines = [
    `${r.outcome === 'validated' ? '✔' : r.outcome === 'unvalidated' ? '•' : '✖'} ${r.outcome}: ${r.reason}`,
    `  model ${r.model}, ${r.attempts.length} attempt(s), ${steps} steps, ${tokens} tokens${r.usage.estimated ? ' (estimated)' : ''}${cache}, ${(r.durationMs / 1000).toFixed(1)} s${r.usage.costUsd ? `, $${r.usage.costUsd.toFixed(4)}` : ''}`,
    `  tests: ${r.testCommand ?? 'none found'}`,
    `  patch: ${join(r.outDir, 'patch.diff')}${r.patch ? '' : ' (empty)'}`,
    `  trace: ${join(r.outDir, r.chosen ? 'trace.md' : 'trace.jsonl')}`,
  ];
  for (const note of r.configNotes) lines.push(`  note: ${note}`);
  if (r.outcome === 'rejected')
    lines.push(
      '  not applied; for local use only, --skip-patch-policy keeps a refused patch (with a warning)',
    );
  if (applied && r.patch) lines.push('  applied to your checkout (review it with `git diff`)');
  return lines;
}

/** `--apply`: the patch goes onto the user's own working tree, with git's checks. */
export async function applyToLocalCheckout(dir: string, patch: string): Promise<void> {
  try {
    execFileSync('git', ['-C', dir, 'apply', '--whitespace=nowarn', '-'], {
      input: patch,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
  } catch (err) {
    throw new ConjectureError(
      `the patch does not apply to ${dir}: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`,
      {
        code: 'apply_failed',
        hint: 'the checkout changed since the run started; apply patch.diff by hand',
      },
    );
  }
}
