/**
 * The report's charts as plain SVG text (no chart library, no fonts to fetch): resolve rate per run
 * with its 95% interval as whiskers, and each run's exit statuses as a stacked bar. Numbers are
 * rounded to fixed decimals so the output is stable for golden files.
 */
import type { ExitStatus } from '../../core/task.ts';
import { EXIT_STATUSES, type RunStats } from './report-data.ts';

export const STATUS_COLOURS: Record<ExitStatus, string> = {
  submitted: '#2e7d32',
  limits_exceeded: '#f9a825',
  format_error: '#ef6c00',
  timeout: '#6a1b9a',
  cancelled: '#757575',
  error: '#c62828',
};

const FONT = 'font-family="sans-serif" font-size="12"';
const r1 = (n: number) => Number(n.toFixed(1));

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function resolveRateChart(stats: readonly RunStats[]): string {
  const barW = 60;
  const gap = 50;
  const left = 50;
  const top = 30;
  const plotH = 200;
  const width = Math.max(300, left + stats.length * (barW + gap) + 10);
  const height = top + plotH + 50;
  const y = (share: number) => r1(top + plotH * (1 - share));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Resolve rate with 95% confidence interval">`,
    `<text x="10" y="16" ${FONT} font-weight="bold">Resolve rate (95% Wilson interval)</text>`,
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${left}" x2="${width - 10}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y(tick) + 4}" ${FONT} text-anchor="end">${tick * 100}%</text>`,
    );
  }
  stats.forEach((s, i) => {
    const x = left + gap / 2 + i * (barW + gap);
    const mid = r1(x + barW / 2);
    parts.push(
      `<text x="${mid}" y="${top + plotH + 18}" ${FONT} text-anchor="middle">${escapeXml(s.label)}</text>`,
    );
    if (!s.scored) {
      parts.push(
        `<text x="${mid}" y="${y(0) - 6}" ${FONT} text-anchor="middle" fill="#757575">not scored</text>`,
      );
      return;
    }
    const [lo, hi] = s.ci;
    parts.push(
      `<rect x="${x}" y="${y(s.rate)}" width="${barW}" height="${r1(plotH * s.rate)}" fill="#1565c0"/>`,
      `<line x1="${mid}" x2="${mid}" y1="${y(hi)}" y2="${y(lo)}" stroke="#000"/>`,
      `<line x1="${mid - 8}" x2="${mid + 8}" y1="${y(hi)}" y2="${y(hi)}" stroke="#000"/>`,
      `<line x1="${mid - 8}" x2="${mid + 8}" y1="${y(lo)}" y2="${y(lo)}" stroke="#000"/>`,
      `<text x="${mid}" y="${top + plotH + 34}" ${FONT} text-anchor="middle">${s.resolved}/${s.instances} (${(s.rate * 100).toFixed(1)}%)</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

export function exitStatusChart(stats: readonly RunStats[]): string {
  const left = 120;
  const barH = 24;
  const gap = 14;
  const plotW = 360;
  const top = 30;
  const legendY = top + stats.length * (barH + gap) + 10;
  const legendW = EXIT_STATUSES.reduce((w, st) => w + 24 + st.length * 6, 20);
  const width = Math.max(left + plotW + 20, legendW);
  const height = legendY + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Exit status per run">`,
    `<text x="10" y="16" ${FONT} font-weight="bold">Exit status (share of instances)</text>`,
  ];
  stats.forEach((s, i) => {
    const yy = top + i * (barH + gap);
    parts.push(`<text x="${left - 8}" y="${yy + 16}" ${FONT} text-anchor="end">${escapeXml(s.label)}</text>`);
    let x = left;
    for (const status of EXIT_STATUSES) {
      const n = s.exitStatus[status];
      if (n === 0 || s.instances === 0) continue;
      const w = r1((plotW * n) / s.instances);
      parts.push(
        `<rect x="${r1(x)}" y="${yy}" width="${w}" height="${barH}" fill="${STATUS_COLOURS[status]}"><title>${status}: ${n}</title></rect>`,
      );
      if (w >= 18)
        parts.push(
          `<text x="${r1(x + w / 2)}" y="${yy + 16}" ${FONT} text-anchor="middle" fill="#fff">${n}</text>`,
        );
      x += w;
    }
  });
  let x = 10;
  for (const status of EXIT_STATUSES) {
    parts.push(
      `<rect x="${x}" y="${legendY}" width="10" height="10" fill="${STATUS_COLOURS[status]}"/>`,
      `<text x="${x + 14}" y="${legendY + 9}" font-family="sans-serif" font-size="10">${status}</text>`,
    );
    x += 24 + status.length * 6;
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
