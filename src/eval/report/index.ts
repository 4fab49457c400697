/**
 * `conjecture eval report DIR… --out FILE.md`: compares runs side by side. Writes `FILE.md` (the charts
 * linked as `FILE-resolve-rate.svg` and `FILE-exit-status.svg`, written next to it) and `FILE.html`
 * (the same content, charts inline); `--out FILE.html` names the same set.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { exitStatusChart, resolveRateChart } from './charts.ts';
import { renderHtml, renderMarkdown } from './render.ts';
import { loadRun, type RunStats, runStats } from './report-data.ts';

export { loadRun, type RunStats, runStats, wilson } from './report-data.ts';

export interface WrittenReport {
  files: string[];
  stats: RunStats[];
}

export async function writeReport(dirs: readonly string[], out: string): Promise<WrittenReport> {
  const runs = await Promise.all(dirs.map(loadRun));
  // Two directories with the same name (runs/a, other/a) still need distinct columns.
  const seen = new Map<string, number>();
  for (const run of runs) {
    const n = (seen.get(run.label) ?? 0) + 1;
    seen.set(run.label, n);
    if (n > 1) run.label = `${run.label} (${n})`;
  }
  const stats = runs.map(runStats);
  const stem = basename(out, extname(out));
  const charts = {
    resolveRate: { file: `${stem}-resolve-rate.svg`, svg: resolveRateChart(stats) },
    exitStatus: { file: `${stem}-exit-status.svg`, svg: exitStatusChart(stats) },
  };
  await mkdir(dirname(out), { recursive: true });
  const base = join(dirname(out), stem);
  const files = [`${base}.md`, `${base}.html`, `${base}-resolve-rate.svg`, `${base}-exit-status.svg`];
  const texts = [
    renderMarkdown(stats, charts),
    renderHtml(stats, charts),
    charts.resolveRate.svg,
    charts.exitStatus.svg,
  ];
  for (const [i, file] of files.entries()) await writeFile(file, texts[i] as string);
  return { files, stats };
}
