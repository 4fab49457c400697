/**
 * The trace as GitHub Markdown for a PR body (issue 3, item 5): one collapsed section per step,
 * commands and output in fenced blocks that nothing can escape, the model's words made inert, and
 * the whole within `maxChars` by eliding whole middle steps (the first and last steps, test results
 * and the end status always stay). Pure, never throws, never longer than `maxChars`.
 */
import type { TraceEvent } from '../core/trace.ts';
import { cap, fence, inert, inertHtml, oneLine } from './markdown-text.ts';
import { redact } from './redact.ts';

export interface RenderOptions {
  /** GitHub refuses PR bodies over 65,536 characters; leave room for the rest of the body. */
  maxChars?: number;
  title?: string;
}

interface Caps {
  observation: number;
  thought: number;
  command: number;
}

type Unit = Extract<TraceEvent, { type: 'step' | 'format_error' | 'validation' | 'end' }>;

const SEP = '\n\n';
/** Room for one elision note (they are ~100 characters). */
const NOTE_ROOM = 160;
const TOO_LARGE = "*The trace is too large to show here; see the full trace in the run's artifacts.*";

/** Redacted, as a defence in depth: events should already be redacted by the writer. */
function clean(value: unknown): string {
  return redact(typeof value === 'string' ? value : value == null ? '' : String(value));
}

function exitLabel(e: Extract<TraceEvent, { type: 'step' }>): string {
  if (e.timedOut) return 'timed out';
  return typeof e.exitCode === 'number' ? `exit ${e.exitCode}` : 'no exit code';
}

function details(summary: string, body: string[]): string {
  return `<details>\n<summary>${summary}</summary>\n\n${body.filter(Boolean).join(SEP)}\n\n</details>`;
}

function renderUnit(e: Unit, caps: Caps): string {
  switch (e.type) {
    case 'step': {
      const command = e.command == null ? null : clean(e.command);
      const summary = `Step ${Number(e.step)} · ${command === null ? 'no command' : `<code>${inertHtml(oneLine(command))}</code>`} · ${exitLabel(e)}`;
      const observation = clean(e.observation);
      return details(summary, [
        inert(cap(clean(e.thought).trim(), caps.thought)),
        command === null ? '' : fence(cap(command, caps.command), 'bash'),
        fence(observation.trim() ? cap(observation, caps.observation) : '(no output)'),
      ]);
    }
    case 'format_error':
      return details(`Step ${Number(e.step)} · format error (reply not usable)`, [
        inert(oneLine(clean(e.feedback), 300)),
        fence(cap(clean(e.reply), Math.min(1_000, caps.observation))),
      ]);
    case 'validation':
      return `**Tests (${e.phase === 'baseline' ? 'baseline, before the change' : 'after the change'}):** ${e.passed ? 'passed' : 'failed'} · ${inert(oneLine(clean(e.summary), 500))}`;
    case 'end':
      return `**Agent stopped:** ${endLine(e)}`;
  }
}

function endLine(e: Extract<TraceEvent, { type: 'end' }>): string {
  const detail = clean(e.detail).trim();
  const patch = typeof e.patchBytes === 'number' && e.patchBytes > 0 ? ` · patch ${e.patchBytes} bytes` : '';
  return `${inert(oneLine(clean(e.exitStatus), 40))}${detail ? ` — ${inert(oneLine(detail, 300))}` : ''}${patch}`;
}

function renderHeader(events: TraceEvent[], title: string | undefined): string {
  const start = events.find((e) => e.type === 'start');
  const steps = events.filter((e) => e.type === 'step');
  const formatErrors = events.filter((e) => e.type === 'format_error').length;
  const tokens = steps.reduce(
    (n, s) => n + (Number(s.usage?.promptTokens) || 0) + (Number(s.usage?.completionTokens) || 0),
    0,
  );
  const cachedSteps = steps.filter((s) => typeof s.usage?.cachedPromptTokens === 'number');
  const prompt = cachedSteps.reduce((n, s) => n + (Number(s.usage?.promptTokens) || 0), 0);
  const cached = cachedSteps.reduce((n, s) => n + (Number(s.usage?.cachedPromptTokens) || 0), 0);
  const seconds = (key: 'modelMs' | 'execMs') =>
    (steps.reduce((n, s) => n + (Number(s[key]) || 0), 0) / 1000).toFixed(1);
  const facts = [
    start ? `model ${clean(start.model)} · attempt ${Number(start.attempt)}` : '',
    plural(steps.length, 'step'),
    formatErrors ? plural(formatErrors, 'format error') : '',
    `${tokens} tokens`,
    // Only where the server said how much of each prompt it served from its cache.
    cachedSteps.length ? `${cached} of ${prompt} prompt tokens from the server's cache` : '',
    `model time ${seconds('modelMs')} s`,
    `command time ${seconds('execMs')} s`,
  ];
  const heading = title ? `### ${inert(oneLine(clean(title), 200))}\n\n` : '';
  return `${heading}${inert(oneLine(facts.filter(Boolean).join(' · '), 400))}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function elisionNote(elided: Unit[]): string {
  const steps = elided.filter((u) => u.type === 'step').length;
  const others = elided.length - steps;
  const what = [
    steps ? plural(steps, 'step') : '',
    others ? plural(others, steps ? 'other event' : 'event') : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return `*… ${what} elided (see the full trace in the run's artifacts) …*`;
}

/**
 * The units joined within `budget`, or null when even the ones that must stay do not fit. Chunks
 * are rendered lazily, so a 5,000-step trace only renders the steps that are shown.
 */
function fitUnits(units: Unit[], caps: Caps, budget: number): { text: string; elided: number } | null {
  const cache = new Map<number, string>();
  const chunk = (i: number) => {
    const cached = cache.get(i);
    if (cached !== undefined) return cached;
    const rendered = renderUnit(units[i] as Unit, caps);
    cache.set(i, rendered);
    return rendered;
  };
  let all = 0;
  for (let i = 0; i < units.length && all <= budget; i++) all += chunk(i).length + SEP.length;
  if (all <= budget) return { text: units.map((_, i) => chunk(i)).join(SEP), elided: 0 };

  const stepIdx = units.flatMap((u, i) => (u.type === 'step' ? [i] : []));
  const keep = new Set<number>(
    units.flatMap((u, i) => (u.type === 'validation' || u.type === 'end' ? [i] : [])),
  );
  for (const i of [0, units.length - 1, stepIdx[0], stepIdx.at(-1)]) if (i !== undefined) keep.add(i);
  let used = NOTE_ROOM * (keep.size + 1);
  for (const i of keep) used += chunk(i).length + SEP.length;
  if (used > budget) return null;
  // Fill from both ends alternately: the start shows the approach, the end shows the outcome.
  let head = 0;
  let tail = units.length - 1;
  let headOpen = true;
  let tailOpen = true;
  for (let turn = 0; (headOpen || tailOpen) && head <= tail; turn++) {
    const fromHead = headOpen && (turn % 2 === 0 || !tailOpen);
    const i = fromHead ? head : tail;
    if (!keep.has(i)) {
      const cost = chunk(i).length + SEP.length;
      if (used + cost > budget) {
        if (fromHead) headOpen = false;
        else tailOpen = false;
        continue;
      }
      used += cost;
      keep.add(i);
    }
    if (fromHead) head++;
    else tail--;
  }
  const parts: string[] = [];
  let run: Unit[] = [];
  for (const [i, u] of units.entries()) {
    if (!keep.has(i)) {
      run.push(u);
      continue;
    }
    if (run.length) parts.push(elisionNote(run));
    run = [];
    parts.push(chunk(i));
  }
  return { text: parts.join(SEP), elided: units.length - keep.size };
}

function render(events: TraceEvent[], maxChars: number, title: string | undefined): string {
  const header = renderHeader(events, title);
  const lastEnd = events.findLastIndex((e) => e.type === 'end');
  const end = events[lastEnd];
  const footer = `**Result:** ${end?.type === 'end' ? endLine(end) : 'no end event (the run stopped before finishing)'}`;
  const units = events.filter(
    (e, i): e is Unit =>
      (e.type === 'step' || e.type === 'format_error' || e.type === 'validation' || e.type === 'end') &&
      i !== lastEnd,
  );
  const budget = maxChars - header.length - footer.length - 2 * SEP.length;
  const base = Math.max(200, Math.floor(maxChars / 6));
  let best: { text: string; elided: number } | null = null;
  // Prefer showing every step with shorter output over fewer steps with full output.
  for (const scale of [1, 0.25, 0.06]) {
    const n = Math.max(200, Math.floor(Math.min(8_000, base) * scale));
    const fitted = fitUnits(
      units,
      {
        observation: n,
        thought: Math.max(300, Math.floor(n / 2)),
        command: Math.max(200, Math.floor(n / 2)),
      },
      budget,
    );
    if (fitted && (!best || fitted.elided < best.elided)) best = fitted;
    if (best?.elided === 0) break;
  }
  if (!best) return [header, TOO_LARGE, footer].join(SEP);
  return [header, best.text, footer].filter(Boolean).join(SEP);
}

export function renderTraceMarkdown(events: readonly TraceEvent[], options: RenderOptions = {}): string {
  const requested = Math.floor(Number(options.maxChars ?? 60_000));
  const maxChars = Number.isFinite(requested) ? Math.max(0, requested) : 60_000;
  let out: string;
  try {
    out = render(
      Array.isArray(events) ? events.filter((e) => e && typeof e === 'object') : [],
      maxChars,
      options.title,
    );
  } catch {
    out = TOO_LARGE;
  }
  if (out.length <= maxChars) return out;
  return TOO_LARGE.length <= maxChars ? TOO_LARGE : '';
}
