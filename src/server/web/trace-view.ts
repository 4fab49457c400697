/**
 * A job's trace as HTML, step by step: the model's thought, the command, its output and exit code.
 * Every string in a trace is untrusted (the model and the repository wrote it) and is escaped by
 * `html`; fields are also type-checked, since a trace file is read back from disk.
 */
import type { TraceEvent } from '../../core/trace.ts';
import { redact } from '../../trace/redact.ts';
import { type Html, html } from './html.ts';

/** Long outputs are cut in the page (the full trace is at the API's /trace endpoint). */
const MAX_OUTPUT_CHARS = 20_000;

const text = (v: unknown): string => redact(typeof v === 'string' ? v : v == null ? '' : String(v));

function cut(s: string, max = MAX_OUTPUT_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max)}\n[... ${s.length - max} characters not shown]`;
}

function exitBadge(e: Extract<TraceEvent, { type: 'step' }>): Html {
  if (e.timedOut) return html`<span class="exit bad">timed out</span>`;
  if (typeof e.exitCode !== 'number') return html`<span class="exit">no exit code</span>`;
  return html`<span class="exit ${e.exitCode === 0 ? 'ok' : 'bad'}">exit ${e.exitCode}</span>`;
}

function renderEvent(e: TraceEvent): Html | null {
  switch (e.type) {
    case 'start':
      return html`<p class="event start">Attempt ${Number(e.attempt) || 1} started with model <code>${text(e.model)}</code></p>`;
    case 'message':
      return html`<details class="event message"><summary>${e.role === 'system' ? 'System prompt' : 'Task given to the agent'}</summary><pre>${cut(text(e.content))}</pre></details>`;
    case 'step': {
      const command = e.command == null ? null : text(e.command);
      return html`<section class="step" data-step="${Number(e.step)}">
<h3>Step ${Number(e.step)} ${exitBadge(e)} <small>${Math.round(Number(e.modelMs) || 0)} ms model · ${Math.round(Number(e.execMs) || 0)} ms command</small></h3>
${text(e.thought).trim() ? html`<p class="thought">${cut(text(e.thought).trim(), 4_000)}</p>` : ''}
${command === null ? html`<p class="muted">no command</p>` : html`<pre class="command">$ ${cut(command, 4_000)}</pre>`}
<pre class="output">${text(e.observation).trim() ? cut(text(e.observation)) : '(no output)'}</pre>
</section>`;
    }
    case 'format_error':
      return html`<section class="step format-error" data-step="${Number(e.step)}"><h3>Step ${Number(e.step)} <span class="exit bad">format error</span></h3><p>${text(e.feedback)}</p><pre class="output">${cut(text(e.reply), 4_000)}</pre></section>`;
    case 'validation':
      return html`<p class="event validation ${e.passed ? 'ok' : 'bad'}">Tests ${e.phase === 'baseline' ? 'before the change' : 'after the change'}: ${e.passed ? 'passed' : 'failed'} · ${text(e.summary)}</p>`;
    case 'end':
      return html`<p class="event end">Agent stopped: <strong>${text(e.exitStatus)}</strong>${e.detail ? html` — ${text(e.detail)}` : ''}${Number(e.patchBytes) > 0 ? html` · patch ${Number(e.patchBytes)} bytes` : ''}</p>`;
    default:
      return null;
  }
}

export function renderTraceHtml(events: readonly TraceEvent[]): Html {
  if (events.length === 0) return html`<p class="muted">The trace is empty.</p>`;
  return html`<div class="trace">${events.map(renderEvent)}</div>`;
}
