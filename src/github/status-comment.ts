/**
 * The one status comment a run keeps on its issue (issue 4, item 3): queued → preparing → agent step
 * k/N → validating → PR opened, failed with the reason, or cancelled. It is found again by a hidden
 * marker, so a restarted worker edits the same comment instead of adding another. Emoji, not task-list
 * checkboxes: anyone who can edit the comment could tick a checkbox and change it.
 */
import { publicText, truncateMarkdown } from './public-text.ts';

export const STATUS_MARKER = '<!-- conjecture:status -->';

// GitHub refuses comment bodies over 65,536 characters; the rest of the comment is short.
const MAX_EVIDENCE_CHARS = 60_000;

export type RunStatus =
  | { state: 'queued'; position?: number }
  | { state: 'preparing'; detail?: string }
  | { state: 'agent'; step: number; maxSteps: number; attempt?: number; attempts?: number }
  | { state: 'validating'; detail?: string }
  | {
      state: 'pr_opened';
      number: number;
      url: string;
      validation: 'passed' | 'not_run' | 'failed';
    }
  | { state: 'failed'; reason: string; evidence?: string }
  | { state: 'cancelled'; by?: string };

export interface StatusCommentInput {
  status: RunStatus;
  jobId: string;
  /** Values to redact from any free text (reason, detail, evidence). */
  secrets?: string[];
}

const PHASES = ['queued', 'preparing', 'agent', 'validating', 'pr'] as const;
const PHASE_LABEL: Record<(typeof PHASES)[number], string> = {
  queued: 'Queued',
  preparing: 'Preparing the workspace (checkout, dependencies, baseline tests)',
  agent: 'Agent working on the issue',
  validating: "Validating with the repository's tests",
  pr: 'Pull request',
};

export function isTerminal(status: RunStatus): boolean {
  return status.state === 'pr_opened' || status.state === 'failed' || status.state === 'cancelled';
}

export function renderStatusComment(input: StatusCommentInput): string {
  const clean = (text: string) => publicText(text.replace(/\s+/g, ' ').trim(), input.secrets);
  const body = isTerminal(input.status)
    ? renderTerminal(input.status, clean, input.secrets)
    : renderProgress(input.status, clean);
  return [STATUS_MARKER, body, '', `<sub>Conjecture job \`${input.jobId}\`</sub>`, ''].join('\n');
}

function renderProgress(status: RunStatus, clean: (t: string) => string): string {
  const current =
    status.state === 'queued' ? 0 : status.state === 'preparing' ? 1 : status.state === 'agent' ? 2 : 3;
  const lines = [`### ⏳ Conjecture is working on this issue`, ''];
  PHASES.forEach((phase, i) => {
    let label = PHASE_LABEL[phase];
    if (i === current) {
      if (status.state === 'queued' && status.position !== undefined)
        label += ` (position ${status.position} in the queue)`;
      if (status.state === 'agent') {
        label = `Agent: step ${status.step} of ${status.maxSteps}`;
        if (status.attempts && status.attempts > 1)
          label += ` (attempt ${status.attempt ?? 1} of ${status.attempts})`;
      }
      if ((status.state === 'preparing' || status.state === 'validating') && status.detail)
        label += `: ${clean(status.detail)}`;
    }
    const mark = i < current ? '✅' : i === current ? '⏳' : '⬜';
    lines.push(`- ${mark} ${i === current ? `**${label}**` : label}`);
  });
  lines.push('', 'Comment `/conjecture cancel` to stop this run.');
  return lines.join('\n');
}

function renderTerminal(status: RunStatus, clean: (t: string) => string, secrets?: string[]): string {
  switch (status.state) {
    case 'pr_opened': {
      const note = {
        passed: "The repository's tests pass with the change.",
        not_run: 'No test command was found, so the change is not validated; review it carefully.',
        failed: "⚠️ The repository's tests fail with the change; the draft PR is for inspection.",
      }[status.validation];
      const mark = status.validation === 'passed' ? '✅' : '⚠️';
      return [
        `### ${mark} Conjecture opened #${status.number}`,
        '',
        note,
        '',
        `Pull request: ${status.url}`,
      ].join('\n');
    }
    case 'failed': {
      const lines = [`### ❌ Conjecture could not fix this issue`, '', `Reason: ${clean(status.reason)}`];
      if (status.evidence)
        lines.push(
          '',
          '<details><summary>Evidence</summary>',
          '',
          truncateMarkdown(publicText(status.evidence, secrets), MAX_EVIDENCE_CHARS),
          '',
          '</details>',
        );
      lines.push(
        '',
        'Comment `/conjecture retry` to try again, or `/conjecture fix <more detail>` to guide it.',
      );
      return lines.join('\n');
    }
    case 'cancelled':
      return [
        `### ⏹️ Conjecture run cancelled`,
        '',
        status.by ? `Cancelled by ${clean(`@${status.by}`)}.` : 'The run was cancelled.',
      ].join('\n');
    default:
      return '';
  }
}
