/**
 * What the agent reads when its change broke tests: which tests, and the failure text for them
 * (or the output's head and tail when the runner gave no per-test text). Kept short on purpose —
 * a small model's context is precious — at most `maxChars` (default ~3,000) characters in all.
 */
import { capText } from './excerpt.ts';
import type { Comparison, TestRun } from './types.ts';

export const FEEDBACK_MAX_CHARS = 3_000;
const MAX_LISTED = 15;

function bullets(ids: string[]): string {
  const shown = ids.slice(0, MAX_LISTED).map((id) => `- ${id}`);
  if (ids.length > MAX_LISTED) shown.push(`- ... and ${ids.length - MAX_LISTED} more`);
  return shown.join('\n');
}

function failureText(ids: string[], after: TestRun): string {
  const known = ids.filter((id) => after.messages[id]);
  if (known.length === 0) return after.output;
  return known.map((id) => `--- ${id}\n${after.messages[id]}`).join('\n\n');
}

export function formatFeedback(
  comparison: Comparison,
  after: TestRun,
  options: { maxChars?: number } = {},
): string {
  const maxChars = options.maxChars ?? FEEDBACK_MAX_CHARS;
  if (comparison.ok) return `The tests pass after your change (\`${after.command}\`): ${comparison.summary}.`;

  const head: string[] = [];
  if (comparison.verdict === 'unknown') {
    head.push(
      `\`${after.command}\` failed before your change and still fails; its output cannot be split per test, so it is unknown whether your change broke anything. Check the output below for failures your change caused.`,
    );
  } else {
    head.push(`After your change, \`${after.command}\` has ${comparison.newFailures.length} new failure(s):`);
    if (comparison.newFailures.length > 0) head.push(bullets(comparison.newFailures));
    if (comparison.missing.length > 0)
      head.push(
        `These tests passed before your change and did not run after it:\n${bullets(comparison.missing)}`,
      );
  }
  const foot = 'Fix the code so these tests pass again; do not delete, skip or weaken tests.';
  const header = `${head.join('\n')}\n\nOutput:\n`;
  const room = Math.max(200, maxChars - header.length - foot.length - 2);
  const excerpt = capText(failureText(comparison.newFailures, after).trim(), room);
  return capText(`${header}${excerpt}\n\n${foot}`, maxChars);
}
