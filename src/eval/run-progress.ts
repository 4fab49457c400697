/**
 * The `eval run` progress line: a bar, done/total, ETA, tokens and cost. The ETA uses only
 * instances finished in this session (skipped ones took no time here).
 */
import type { RunEvent } from './run.ts';
import type { RunResultLine } from './run-store.ts';

export interface RunTally {
  total: number;
  /** Finished before this session (skipped). */
  skipped: number;
  finished: number;
  running: number;
  tokens: number;
  costUsd: number;
  statuses: Map<string, number>;
  startedAt: number;
}

export function createRunTally(previous: readonly RunResultLine[], now = Date.now()): RunTally {
  const tally: RunTally = {
    total: 0,
    skipped: 0,
    finished: 0,
    running: 0,
    tokens: 0,
    costUsd: 0,
    statuses: new Map(),
    startedAt: now,
  };
  for (const line of previous) addLine(tally, line);
  return tally;
}

export function applyRunEvent(tally: RunTally, event: RunEvent): void {
  if (event.type === 'planned') {
    tally.total = event.total;
    tally.skipped = event.skipped;
  } else if (event.type === 'started') tally.running++;
  else {
    tally.running = Math.max(0, tally.running - 1);
    tally.finished++;
    addLine(tally, event.line);
  }
}

function addLine(tally: RunTally, line: RunResultLine): void {
  tally.tokens += line.prompt_tokens + line.completion_tokens;
  tally.costUsd += line.cost_usd;
  tally.statuses.set(line.exit_status, (tally.statuses.get(line.exit_status) ?? 0) + 1);
}

export function formatRunProgress(tally: RunTally, now = Date.now(), width = 20): string {
  const done = tally.skipped + tally.finished;
  const share = tally.total === 0 ? 1 : done / tally.total;
  const filled = Math.round(share * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const left = tally.total - done;
  let eta = '?';
  if (left === 0) eta = '0s';
  else if (tally.finished > 0) {
    // Wall time per finished instance already reflects how many run at once.
    eta = formatDuration(((now - tally.startedAt) / tally.finished) * left);
  }
  const statuses = [...tally.statuses].map(([s, n]) => `${s} ${n}`).join(', ');
  const running = tally.running > 0 ? ` (${tally.running} running)` : '';
  return `${bar} ${done}/${tally.total}${running} · ETA ${eta} · ${formatTokens(tally.tokens)} tokens · $${tally.costUsd.toFixed(2)}${statuses ? ` · ${statuses}` : ''}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatTokens(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
