/**
 * `eval report` on two fixed runs: golden files for the Markdown, the HTML and both SVG charts (a
 * change in what a reader sees is a reviewed diff). Regenerate with UPDATE_GOLDEN=1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/eval/report/index.ts';
import { wilson } from '../../src/eval/report/report-data.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'report');
const GOLDEN = join(import.meta.dirname, '..', 'golden', 'eval-report');

describe('wilson', () => {
  it('matches the textbook interval', () => {
    // 2 of 5 at 95%: 0.1176 – 0.7693 (Wilson 1927; any statistics table).
    const [lo, hi] = wilson(2, 5);
    expect(lo).toBeCloseTo(0.1176, 3);
    expect(hi).toBeCloseTo(0.7693, 3);
    expect(wilson(0, 16)[0]).toBe(0);
    expect(wilson(16, 16)[1]).toBe(1);
    expect(wilson(0, 0)).toEqual([0, 0]);
  });
});

describe('writeReport', () => {
  it('writes Markdown, HTML and SVG charts equal to the golden files', async () => {
    const out = await mkdtemp(join(tmpdir(), 'eval-report-'));
    const { files, stats } = await writeReport(
      [join(FIXTURES, 'run-a'), join(FIXTURES, 'run-b')],
      join(out, 'report.md'),
    );
    expect(files.map((f) => basename(f))).toEqual([
      'report.md',
      'report.html',
      'report-resolve-rate.svg',
      'report-exit-status.svg',
    ]);
    expect(stats.map((s) => [s.label, s.instances, s.scored, s.resolved])).toEqual([
      ['run-a', 5, true, 2],
      ['run-b', 4, false, 0],
    ]);
    if (process.env.UPDATE_GOLDEN) mkdirSync(GOLDEN, { recursive: true });
    for (const file of files) {
      const golden = join(GOLDEN, basename(file));
      const text = readFileSync(file, 'utf8');
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
      if (!existsSync(golden))
        throw new Error(`golden file ${golden} missing; run with UPDATE_GOLDEN=1 to create it`);
      expect(text, basename(file)).toBe(readFileSync(golden, 'utf8'));
    }
    const md = readFileSync(files[0] as string, 'utf8');
    expect(md).toContain('](report-resolve-rate.svg)');
    expect(md).toContain('| resolved | 2 (40.0%, 95% CI 11.8%–76.9%) | not scored |');
    expect(md).toContain('| iamkun__dayjs-6 | — | timeout |');
    expect(readFileSync(files[1] as string, 'utf8')).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
  });
});

describe('prompt cache in the report', () => {
  it('shows the prompt tokens served from the server’s cache where results.jsonl records them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eval-report-cache-'));
    const run = join(dir, 'run-cache');
    mkdirSync(run);
    writeFileSync(join(run, 'run.json'), JSON.stringify({ run_id: 'cache', model_name_or_path: 'm' }));
    const line = (id: string, prompt: number, cached?: number) =>
      JSON.stringify({
        instance_id: id,
        model_name_or_path: 'm',
        exit_status: 'submitted',
        outcome: 'unvalidated',
        steps: 3,
        model_calls: 3,
        prompt_tokens: prompt,
        ...(cached === undefined ? {} : { cached_prompt_tokens: cached }),
        completion_tokens: 30,
        cost_usd: 0,
        duration_ms: 1000,
        format_errors: 0,
        patch_bytes: 10,
        patch_lines: 1,
        finished_at: '2026-01-01T00:00:00.000Z',
      });
    writeFileSync(join(run, 'results.jsonl'), `${line('a-1', 3000, 2400)}\n${line('a-2', 1000, 600)}\n`);
    const { files, stats } = await writeReport([run, join(FIXTURES, 'run-b')], join(dir, 'report.md'));
    expect(stats[0]).toMatchObject({ promptTokens: 4000, cachedPromptTokens: 3000 });
    expect(stats[1]?.cachedPromptTokens).toBeNull();
    const md = readFileSync(files[0] as string, 'utf8');
    expect(md).toMatch(
      /\| prompt tokens from the server’s cache \| 3(\.0)?k? of 4(\.0)?k? \(75\.0%\) \| not reported \|/,
    );
  });
});
