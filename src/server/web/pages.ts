/**
 * The web page's HTML (issue 5, item 6): the job list with live status and charts, a job's page
 * with its trace step by step, and the sign-in form. Server-rendered; the only script is the
 * constant poller below, allowed by a per-response CSP nonce, so injected markup could not run
 * script even if escaping were ever missed.
 */
import type { DayPoint } from '../../jobs/cost.ts';
import { describeProgress } from '../../jobs/progress.ts';
import type { JobRecord } from '../../jobs/types.ts';
import { barChart } from './charts.ts';
import { type Html, html, pathSegment, trustedHtml } from './html.ts';

const STYLE = trustedHtml(`
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}main{padding:16px 20px;max-width:1100px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:6px 8px;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:top}
.state{font-weight:600}.succeeded,.ok{color:#1a7f37}.failed,.bad{color:#cf222e}.running{color:#9a6700}.queued,.muted{color:#656d76}.cancelled{color:#6e7781}
.charts{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:16px}.chart{margin:0;background:#fff;border:1px solid #d0d7de;border-radius:6px;width:420px}
.chart svg{width:100%;height:auto}.chart .title{font-weight:600;font-size:12px}.chart .axis{font-size:10px;fill:#656d76}.axis-line{stroke:#d0d7de}
.runs .bar{fill:#0969da}.rate .bar{fill:#1a7f37}.cost .bar{fill:#8250df}
pre{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px;overflow:auto;max-height:480px;white-space:pre-wrap;word-break:break-word}
pre.command{background:#24292f;color:#f6f8fa}.step{border-left:3px solid #d0d7de;padding-left:10px;margin:14px 0}.step h3{margin:4px 0;font-size:14px}
.exit{font-size:12px;border:1px solid currentColor;border-radius:10px;padding:0 6px;margin-left:6px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;padding:10px;border:1px solid #d0d7de;border-radius:6px}dt{color:#656d76}dd{margin:0}
`);

/** Polls `data-poll` and updates each `[data-job]` row's state; on a new job (list) or a state change (job page) it reloads. */
const POLL_SCRIPT = trustedHtml(`
(() => {
  const b = document.body;
  async function tick() {
    try {
      const r = await fetch(b.dataset.poll, { credentials: 'same-origin', cache: 'no-store' });
      if (!r.ok) return;
      const d = await r.json();
      for (const j of d.jobs) {
        const row = document.querySelector('[data-job="' + CSS.escape(j.id) + '"]');
        if (!row) { if (b.dataset.page === 'list') location.reload(); continue; }
        const s = row.querySelector('.state');
        if (s && s.textContent !== j.state) {
          if (b.dataset.page === 'job') { location.reload(); return; }
          s.textContent = j.state; s.className = 'state ' + j.state;
        }
      }
      b.dataset.live = 'on';
    } catch {}
  }
  tick(); setInterval(tick, 3000);
})();`);

export interface PageOptions {
  title: string;
  nonce: string;
  /** `list` or `job`: what the poller does on a change. */
  page?: 'list' | 'job';
  poll?: string;
}

export function layout(options: PageOptions, body: Html): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Conjecture</title><style nonce="${options.nonce}">${STYLE}</style></head>
<body${options.page ? html` data-page="${options.page}" data-poll="${options.poll ?? ''}"` : ''}>
<header><a href="/jobs">Conjecture</a><span>${options.title}</span>${options.page ? html`<form method="post" action="/logout"><button>Sign out</button></form>` : ''}</header>
<main>${body}</main>
${options.poll ? html`<script nonce="${options.nonce}">${POLL_SCRIPT}</script>` : ''}
</body></html>`;
}

export function loginPage(nonce: string, failed: boolean): Html {
  return layout(
    { title: 'Sign in', nonce },
    html`<p>Sign in with an API token (one whose digest is in <code>server.apiTokenHashes</code>).</p>
${failed ? html`<p class="bad" role="alert">That token is not accepted.</p>` : ''}
<form method="post" action="/login"><input type="password" name="token" autocomplete="off" required size="50" aria-label="API token"> <button>Sign in</button></form>`,
  );
}

const when = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) : '');

export function durationOf(job: JobRecord): string {
  if (!job.startedAt) return '';
  const ms = (job.finishedAt ?? new Date()).getTime() - job.startedAt.getTime();
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

export function titleOf(job: JobRecord): string {
  const issue = job.payload.issue as { title?: unknown; number?: unknown; url?: unknown } | undefined;
  if (typeof issue?.title === 'string') return issue.title;
  if (typeof issue?.url === 'string') return issue.url;
  const n = issue?.number ?? job.payload.number;
  return typeof n === 'number' ? `#${n}` : '';
}

const tokensOf = (job: JobRecord) =>
  (job.result?.usage?.promptTokens ?? 0) + (job.result?.usage?.completionTokens ?? 0);

export interface ListPageData {
  jobs: readonly JobRecord[];
  days: readonly DayPoint[];
  /** The price table the cost chart uses (the first configured), if any. */
  priceTable?: string;
}

export function listPage(nonce: string, data: ListPageData): Html {
  const label = (d: DayPoint) => d.day.slice(5);
  const usd = (v: number) => `$${v < 10 ? v.toFixed(2) : v.toFixed(0)}`;
  const charts = [
    barChart({
      title: 'Runs finished per day',
      points: data.days.map((d) => ({ label: label(d), value: d.runs })),
      format: (v) => String(Math.round(v)),
    }),
    barChart({
      title: 'Success rate per day (resolved / runs)',
      points: data.days.map((d) => ({ label: label(d), value: d.successRate })),
      format: (v) => `${Math.round(v * 100)}%`,
      max: 1,
      tone: 'rate',
    }),
    data.priceTable
      ? barChart({
          title: `Same tokens at ${data.priceTable} prices, per day`,
          points: data.days.map((d) => ({
            label: label(d),
            value: d.cloudCostUsd[data.priceTable ?? ''] ?? 0,
          })),
          format: usd,
          tone: 'cost',
        })
      : '',
  ];
  const rows = data.jobs.map(
    (job) => html`<tr data-job="${job.id}"><td><a href="/jobs/${pathSegment(job.id)}">${job.id}</a></td>
<td class="state ${job.state}">${job.state}</td><td>${job.kind}</td><td>${job.repo}</td><td>${titleOf(job)}</td>
<td>${job.result?.exitStatus ?? job.progress?.phase ?? ''}</td><td>${when(job.createdAt)}</td><td>${durationOf(job)}</td><td>${tokensOf(job) || ''}</td></tr>`,
  );
  return layout(
    { title: 'Jobs', nonce, page: 'list', poll: '/jobs/status' },
    html`<section class="charts">${charts}</section>
<table id="jobs"><thead><tr><th>Job</th><th>State</th><th>Kind</th><th>Repository</th><th>Issue</th><th>Outcome</th><th>Created (UTC)</th><th>Time</th><th>Tokens</th></tr></thead>
<tbody>${rows.length > 0 ? rows : html`<tr><td colspan="9" class="muted">No jobs yet.</td></tr>`}</tbody></table>`,
  );
}

export interface JobPageData {
  job: JobRecord;
  trace: Html;
  patch: string | null;
}

export function jobPage(nonce: string, { job, trace, patch }: JobPageData): Html {
  const r = job.result;
  const pr =
    r?.prUrl && /^https?:\/\//.test(r.prUrl) ? html`<a href="${r.prUrl}">${r.prUrl}</a>` : (r?.prUrl ?? '');
  const row = (name: string, value: unknown) =>
    value === '' || value === null || value === undefined ? '' : html`<dt>${name}</dt><dd>${value}</dd>`;
  return layout(
    { title: `Job ${job.id}`, nonce, page: 'job', poll: `/jobs/${encodeURIComponent(job.id)}/status` },
    html`<h2>${titleOf(job) || job.id}</h2>
<dl data-job="${job.id}"><dt>State</dt><dd class="state ${job.state}">${job.state}</dd>
${row('Repository', job.repo)}${row('Kind', job.kind)}${row('Outcome', r?.exitStatus)}${row('Detail', r?.detail)}
${row('Progress', job.state === 'running' && job.progress ? describeProgress(job.progress) : '')}
${row('Error', job.error ? `${job.error.code}: ${job.error.message}` : '')}${row('Pull request', pr)}
${row('Attempts', `${job.attempts} of ${job.maxAttempts}`)}${row('Created', when(job.createdAt))}${row('Started', when(job.startedAt))}${row('Finished', when(job.finishedAt))}
${row('Time', durationOf(job))}${row('Tokens', r?.usage ? `${r.usage.promptTokens} prompt + ${r.usage.completionTokens} completion` : '')}${row('Cost', r?.costUsd ? `$${r.costUsd.toFixed(4)}` : '')}</dl>
<h2>Patch</h2>${patch === null ? html`<p class="muted">No patch (yet).</p>` : patch.trim() === '' ? html`<p class="muted">The run produced no patch.</p>` : html`<pre class="patch">${patch}</pre>`}
<h2>Trace</h2>${trace}`,
  );
}
