/**
 * The pull request a run opens (issue 4, item 4), built here from the run's result
 * (`pullRequestBodyOf`): `Fixes #n`, the pipeline's verdict on the run, the files changed, the
 * validation evidence, what the run cost, which model and image made it, and the reasoning trace
 * folded away. GitHub refuses bodies over 65,536 characters, so each section has a budget and the
 * trace, the least essential part, gets what is left. Text from the model, the repository and the
 * trace goes through `publicText` (secrets redacted, mentions and closing keywords defused).
 */
import type { RunUsage } from '../core/task.ts';
import type { AttemptResult, RunResult } from '../run/types.ts';
import { readTrace, renderTraceMarkdown } from '../trace/index.ts';
import { findSecrets } from '../trace/redact.ts';
import { formatEvidence } from '../validate/index.ts';
import { summarizePatch } from '../workspace/index.ts';
import type { FileChange } from '../workspace/patch-policy.ts';
import { publicText, truncateMarkdown } from './public-text.ts';

export const MAX_BODY_CHARS = 65_536;
const MAX_SUMMARY_CHARS = 6_000;
const MAX_EVIDENCE_CHARS = 15_000;
const MAX_FILE_ROWS = 100;
export const TRACE_WITHHELD =
  "_The reasoning trace was withheld: something in it still looked like a secret after redaction. It is in the run's artifacts._";

export interface PullRequestBodyInput {
  issueNumber: number;
  /** The pipeline's verdict on the run (`runSummary`); it quotes test and config text, so it is cleaned too. */
  summary: string;
  files: FileChange[];
  outcome: 'validated' | 'unvalidated' | 'failed_validation';
  /** Markdown from `formatEvidence` in src/validate, or null when no tests ran. */
  evidence: string | null;
  usage: RunUsage;
  durationMs: number;
  steps: number;
  attempts: number;
  model: string;
  image: string;
  baseCommit: string;
  triggeredBy?: string;
  jobId?: string;
  issueSha256?: string;
  /** The rendered trace (`renderTraceMarkdown` in src/trace); redacted again here. */
  trace?: string;
  /** Values that must never appear in the body (tokens, API keys). */
  secrets?: string[];
}

/** A run that ends in a pull request: it has a chosen attempt and a patch worth showing. */
export type PullRequestRun = RunResult & {
  chosen: AttemptResult;
  outcome: PullRequestBodyInput['outcome'];
};

/** What the body says besides the run: which issue it closes, who asked, which job, what to withhold. */
export type PullRequestContext = Pick<
  PullRequestBodyInput,
  'issueNumber' | 'triggeredBy' | 'jobId' | 'issueSha256' | 'secrets'
>;

const MAX_TRACE_CHARS = 40_000;

/** The body for a run's pull request, from the run's result and its artifacts (the chosen trace). */
export function pullRequestBodyOf(result: PullRequestRun, context: PullRequestContext): string {
  return renderPullRequestBody({
    ...context,
    summary: runSummary(result),
    files: summarizePatch(result.patch).files,
    outcome: result.outcome,
    evidence: result.chosen.validation ? formatEvidence(result.chosen.validation) : null,
    usage: result.usage,
    durationMs: result.durationMs,
    steps: result.attempts.reduce((s, a) => s + a.steps, 0),
    attempts: result.attempts.length,
    model: result.model,
    image: result.image,
    baseCommit: result.baseCommit,
    trace: renderTraceMarkdown(readTrace(result.chosen.tracePath), { maxChars: MAX_TRACE_CHARS }),
  });
}

/**
 * The pipeline's verdict in a few sentences — why the run ended as it did, which attempt won, how
 * often the tests sent the agent back — for the PR body and the check run. Not the model's words.
 */
export function runSummary(result: RunResult): string {
  const lines = [`${result.reason}.`];
  for (const note of result.configNotes) lines.push(`Repository config: ${note}.`);
  if (result.attempts.length > 1)
    lines.push(`Chosen from ${result.attempts.length} attempts (attempt ${result.chosen?.attempt}).`);
  if (result.chosen?.feedbackRounds)
    lines.push(`The agent revised its change ${result.chosen.feedbackRounds} time(s) after test failures.`);
  return lines.join(' ');
}

export function renderPullRequestTitle(issueTitle: string, issueNumber: number): string {
  const title = `Fix #${issueNumber}: ${issueTitle.replace(/\s+/g, ' ').trim()}`;
  return title.length > 256 ? `${title.slice(0, 255)}…` : title;
}

export function renderPullRequestBody(input: PullRequestBodyInput): string {
  const clean = (text: string) => publicText(text, input.secrets);
  const head = [
    `Fixes #${input.issueNumber}`,
    '',
    `> Automated change by Conjecture${input.triggeredBy ? `, requested by ${clean(`@${input.triggeredBy}`)}` : ''}. Review it like any other contribution.`,
    ...outcomeNote(input.outcome),
    '',
    '### Summary',
    '',
    truncateMarkdown(clean(input.summary.trim() || '_The run left no summary._'), MAX_SUMMARY_CHARS),
    '',
    ...filesSection(input.files),
    '',
    input.evidence
      ? truncateMarkdown(clean(input.evidence.trim()), MAX_EVIDENCE_CHARS)
      : '### Validation\n\nNo test command was found, so the change was not validated.',
    '',
    ...runSection(input),
  ].join('\n');
  if (!input.trace?.trim()) return `${head}\n`;

  const open = '\n\n<details><summary>Reasoning trace</summary>\n\n';
  const close = '\n\n</details>\n';
  const room = MAX_BODY_CHARS - head.length - open.length - close.length - 200;
  if (room < 1_000) return `${head}\n\n_The reasoning trace did not fit; it is in the run's artifacts._\n`;
  const cleaned = clean(input.trace.trim());
  // THREATS.md #19: the final scan. Redaction has run twice; if anything still looks like a secret
  // (a configured value in some encoding, a token shape), no trace is published at all.
  if (findSecrets(cleaned, input.secrets ?? []).length > 0) return `${head}\n\n${TRACE_WITHHELD}\n`;
  const trace = truncateMarkdown(cleaned, room, "cut to fit; the full trace is in the run's artifacts");
  return `${head}${open}${trace}${close}`;
}

function outcomeNote(outcome: PullRequestBodyInput['outcome']): string[] {
  if (outcome === 'failed_validation')
    return [
      '>',
      "> ⚠️ **The repository's tests fail with this change.** This draft is for inspection; do not merge it as is.",
    ];
  if (outcome === 'unvalidated')
    return ['>', '> ⚠️ No test command was found; this change has not been validated.'];
  return [];
}

function code(text: string): string {
  return `\`${text.replace(/[`\r\n]/g, "'").replace(/\|/g, '\\|')}\``;
}

function filesSection(files: FileChange[]): string[] {
  const plus = files.reduce((s, f) => s + f.additions, 0);
  const minus = files.reduce((s, f) => s + f.deletions, 0);
  const lines = [
    `### Files changed (${files.length} ${files.length === 1 ? 'file' : 'files'}, +${plus} −${minus})`,
    '',
    '| file | change | + | − |',
    '|---|---|---:|---:|',
  ];
  for (const f of files.slice(0, MAX_FILE_ROWS)) {
    const name = f.oldPath ? `${code(f.oldPath)} → ${code(f.path)}` : code(f.path);
    const counts = f.binary ? ['binary', ''] : [String(f.additions), String(f.deletions)];
    lines.push(`| ${name} | ${f.kind} | ${counts.join(' | ')} |`);
  }
  if (files.length > MAX_FILE_ROWS) lines.push(`| … and ${files.length - MAX_FILE_ROWS} more | | | |`);
  return lines;
}

function runSection(input: PullRequestBodyInput): string[] {
  const u = input.usage;
  const tokens = `${u.promptTokens.toLocaleString('en-US')} prompt + ${u.completionTokens.toLocaleString('en-US')} completion${u.estimated ? ' (estimated)' : ''}`;
  const rows: [string, string][] = [
    ['model', code(input.model)],
    ['sandbox image', code(input.image)],
    ['base commit', code(input.baseCommit.slice(0, 12))],
    ['attempts', String(input.attempts)],
    ['agent steps', String(input.steps)],
    ['model calls', String(u.calls)],
    ['tokens', tokens],
    ['cost', u.costUsd > 0 ? `$${u.costUsd.toFixed(4)}` : 'no price configured (local model)'],
    ['time', formatDuration(input.durationMs)],
  ];
  if (input.issueSha256) rows.push(['issue snapshot', `sha256 ${code(input.issueSha256.slice(0, 16))}`]);
  if (input.jobId) rows.push(['job', code(input.jobId)]);
  return ['### Run', '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
