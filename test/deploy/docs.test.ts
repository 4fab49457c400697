/**
 * The operator docs stay true to the code: every error code the source can raise is explained in
 * docs/troubleshooting.md, and every metric the Grafana dashboard queries is one the app exports
 * (with the suffixes its type allows).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createConjectureMetrics } from '../../src/server/metrics.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Not error codes: zod's issue kind, and the test doubles' own wire codes. */
const NOT_ERROR_CODES = new Set(['custom']);
const TEST_DOUBLES = /^src\/model\/scripted-/;

/** Codes of ConjectureErrors and job errors (`code: 'x'`, `code: c ? 'x' : 'y'`) and HTTP errors. */
function errorCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const path = relative(ROOT, file);
    if (TEST_DOUBLES.test(path)) continue;
    const text = readFileSync(file, 'utf8');
    const found = [
      ...[...text.matchAll(/\bcode:\s*([^,\n}]+)/g)].flatMap((m) =>
        [...(m[1] ?? '').matchAll(/(?<![=!]==?\s*)'([a-z][a-z0-9_]*)'/g)].map((c) => c[1]),
      ),
      ...[...text.matchAll(/new HttpError\(\s*\d+,\s*'([a-z_]+)'/g)].map((m) => m[1]),
    ];
    for (const code of found) if (code && !NOT_ERROR_CODES.has(code)) codes.set(code, path);
  }
  return codes;
}

describe('docs/troubleshooting.md', () => {
  const doc = read('docs/troubleshooting.md');
  const codes = errorCodes();

  it('finds the codes it should (the scan itself works)', () => {
    for (const known of ['config_invalid', 'docker_unavailable', 'docker_not_found', 'job_not_found'])
      expect(codes.has(known), known).toBe(true);
  });

  it('explains every error code the source raises', () => {
    const missing = [...codes]
      .filter(([code]) => !doc.includes(`\`${code}\``))
      .map(([c, f]) => `${c} (${f})`);
    expect(missing).toEqual([]);
  });
});

describe('deploy/grafana/conjecture.json', () => {
  interface Panel {
    type: string;
    targets?: { expr: string }[];
  }
  const dashboard = JSON.parse(read('deploy/grafana/conjecture.json')) as { uid: string; panels: Panel[] };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('queries only metrics the app exports, with suffixes their types have', async () => {
    const metrics = createConjectureMetrics({ queue: async () => ({ byState: {}, depth: 0 }) });
    const exposition = await metrics.registry.render();
    const types = new Map(
      [...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]),
    );
    expect(types.size).toBeGreaterThan(5);
    const allowed = new Set<string>();
    for (const [name, type] of types)
      for (const suffix of type === 'histogram' ? ['_bucket', '_sum', '_count'] : [''])
        allowed.add(`${name}${suffix}`);
    const used = new Set(exprs.flatMap((e) => e.match(/\bconjecture_[a-z_]+/g) ?? []));
    expect([...used].filter((m) => !allowed.has(m))).toEqual([]);
    // Every metric family is on the dashboard somewhere.
    const families = [...types.keys()].filter((n) => ![...used].some((u) => u.startsWith(n)));
    expect(families).toEqual([]);
  });

  it('every data panel has a query and the dashboard has a stable uid', () => {
    const data = dashboard.panels.filter((p) => p.type !== 'row');
    expect(data.length).toBeGreaterThan(8);
    for (const p of data) expect(p.targets?.length ?? 0).toBeGreaterThan(0);
    expect(dashboard.uid).toBe('conjecture');
  });

  it('docs/monitoring.md names the dashboard file and every metric family', () => {
    const doc = read('docs/monitoring.md');
    expect(doc).toContain('deploy/grafana/conjecture.json');
    for (const name of new Set(exprs.flatMap((e) => e.match(/\bconjecture_[a-z_]+/g) ?? [])))
      expect(doc, name).toContain(name.replace(/_(bucket|sum|count)$/, ''));
  });
});

describe('operator docs and issue forms', () => {
  const DOCS = [
    'docs/installation.md',
    'docs/monitoring.md',
    'docs/backup.md',
    'docs/tuning.md',
    'docs/troubleshooting.md',
    'docs/deployment.md',
    'CONTRIBUTING.md',
    'CHANGELOG.md',
    'SUPPORT.md',
  ];

  it.each(DOCS)('%s links only to files that exist', (doc) => {
    const links = [...read(doc).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1] as string);
    const local = links.filter((l) => !/^[a-z]+:/.test(l));
    const base = join(ROOT, doc, '..');
    expect(local.filter((l) => !existsSync(join(base, l)))).toEqual([]);
  });

  it.each(['bug', 'feature'])('.github/ISSUE_TEMPLATE/%s.yml is an issue form GitHub accepts', (name) => {
    const form = parse(read(`.github/ISSUE_TEMPLATE/${name}.yml`)) as {
      name?: string;
      description?: string;
      body?: { type: string; id?: string; attributes?: { label?: string } }[];
    };
    expect(form.name && form.description).toBeTruthy();
    const inputs = (form.body ?? []).filter((b) => b.type !== 'markdown');
    expect(inputs.length).toBeGreaterThan(1);
    for (const b of inputs) {
      expect(['input', 'textarea', 'dropdown', 'checkboxes']).toContain(b.type);
      expect(b.attributes?.label, b.id).toBeTruthy();
    }
    const ids = inputs.map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
