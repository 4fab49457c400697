/**
 * Inline SVG charts for the web page: bars per day with a labelled axis. No script, no external
 * assets; every label goes through `html`, so a repository name cannot inject markup.
 */
import { type Html, html } from './html.ts';

export interface ChartPoint {
  /** x label, e.g. `11-28` */
  label: string;
  /** null draws no bar (a day without data, unlike a day with 0). */
  value: number | null;
}

export interface ChartOptions {
  title: string;
  points: readonly ChartPoint[];
  /** How a value is printed on the axis and in bar tooltips. */
  format: (value: number) => string;
  /** Fixed top of the scale (e.g. 1 for rates); default: the largest value. */
  max?: number;
  /** A CSS class picking the bar colour. */
  tone?: 'runs' | 'rate' | 'cost';
}

const WIDTH = 420;
const HEIGHT = 150;
const PAD = { left: 52, right: 8, top: 22, bottom: 22 };

export function barChart(options: ChartOptions): Html {
  const { points } = options;
  const values = points.map((p) => p.value ?? 0);
  const max = options.max ?? Math.max(0, ...values);
  const top = max > 0 ? max : 1;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = points.length > 0 ? plotW / points.length : plotW;
  const barW = Math.max(2, slot * 0.7);
  const every = Math.max(1, Math.ceil(points.length / 7));
  const bars = points.map((p, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    const labelX = PAD.left + i * slot + slot / 2;
    const label =
      i % every === 0
        ? html`<text x="${fmt(labelX)}" y="${HEIGHT - 6}" text-anchor="middle" class="axis">${p.label}</text>`
        : '';
    if (p.value === null) return label;
    const h = (Math.min(p.value, top) / top) * plotH;
    return html`<rect x="${fmt(x)}" y="${fmt(PAD.top + plotH - h)}" width="${fmt(barW)}" height="${fmt(h)}" class="bar"><title>${p.label}: ${options.format(p.value)}</title></rect>${label}`;
  });
  return html`<figure class="chart ${options.tone ?? 'runs'}"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${options.title}">
<text x="${PAD.left}" y="14" class="title">${options.title}</text>
<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotH}" class="axis-line"/>
<text x="${PAD.left - 4}" y="${PAD.top + 8}" text-anchor="end" class="axis">${options.format(top)}</text>
<text x="${PAD.left - 4}" y="${PAD.top + plotH}" text-anchor="end" class="axis">${options.format(0)}</text>
${bars}</svg></figure>`;
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}
