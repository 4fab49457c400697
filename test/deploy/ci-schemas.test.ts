/**
 * Every CI template (and the project's own workflow) against its system's published schema, from
 * the `schemastore` package's offline copies: GitHub Actions' workflow schema, GitLab's own CI schema
 * and CircleCI's config schema. The Jenkinsfile has no JSON schema: it is read as a declarative
 * Pipeline (test/support/jenkinsfile.ts). Each check is also shown to reject a broken file.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { declarativeProblems, parseJenkinsfile } from '../support/jenkinsfile.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
// A CommonJS module whose default export TypeScript's NodeNext interop does not see as a class.
const AjvDraft04 = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const schema = (path: string) => require(`schemastore/schemas/json/${path}`) as object;
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

function validator(draft: '04' | '07', doc: object): ValidateFunction {
  const options = { strict: false, allErrors: true, validateFormats: false } as const;
  const ajv = draft === '04' ? new AjvDraft04(options) : new Ajv(options);
  return ajv.compile(doc);
}

function problems(validate: ValidateFunction, data: unknown): string[] {
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

const SYSTEMS = [
  {
    name: 'GitHub Actions',
    validate: validator('07', schema('github-workflow.json')),
    files: ['.github/workflows/ci.yml', 'templates/github-actions/conjecture.yml'],
    breakIt: (doc: Record<string, unknown>) => ({ ...doc, jobs: { fix: { 'runs-on': 'x', steps: 'nope' } } }),
  },
  {
    name: 'GitLab CI',
    validate: validator(
      '07',
      schema('gitlab.com/gitlab-org/gitlab/-/raw/master/app/assets/javascripts/editor/schema/ci.json'),
    ),
    files: ['templates/gitlab-ci/conjecture.yml'],
    breakIt: (doc: Record<string, unknown>) => ({
      ...doc,
      'conjecture-fix': { script: 'x', when: 'sometimes' },
    }),
  },
  {
    name: 'CircleCI',
    validate: validator('04', schema('circleciconfig.json')),
    files: ['templates/circleci/config.yml'],
    breakIt: (doc: Record<string, unknown>) => ({ ...doc, version: 'two' }),
  },
];

describe.each(SYSTEMS)('$name', ({ validate, files, breakIt }) => {
  it.each(files)('%s conforms to the published schema', (file) => {
    expect(problems(validate, parse(read(file)))).toEqual([]);
  });

  it('the schema check rejects a broken file', () => {
    const doc = parse(read(files[0] ?? '')) as Record<string, unknown>;
    expect(problems(validate, breakIt(doc)).length).toBeGreaterThan(0);
  });
});

describe('CircleCI template', () => {
  const text = read('templates/circleci/config.yml');
  const doc = parse(text) as {
    jobs: Record<string, { steps: unknown[] }>;
    workflows: Record<string, { jobs: unknown[] }>;
  };

  it('has a fix job that runs conjecture and opens a draft pull request, and an eval job', () => {
    expect(Object.keys(doc.jobs).sort()).toEqual(['eval', 'fix']);
    const fix = JSON.stringify(doc.jobs.fix);
    expect(fix).toContain('conjecture fix --repo . --issue @/tmp/issue.md');
    expect(fix).toContain('draft: true');
    expect(JSON.stringify(doc.jobs.eval)).toContain('conjecture eval score');
    expect(Object.keys(doc.workflows).sort()).toEqual(['conjecture-eval', 'conjecture-fix']);
  });

  it('never puts a pipeline parameter into a script (only the integer issue number, through the environment)', () => {
    const runs = [...text.matchAll(/command: \|\n((?: {12}.*\n)+)/g)].map((m) => m[1] ?? '');
    expect(runs.length).toBeGreaterThan(3);
    for (const run of runs) expect(run).not.toContain('<<');
  });
});

describe('Jenkins template', () => {
  const text = read('templates/jenkins/Jenkinsfile');

  it('is a declarative Pipeline: one pipeline block, known sections, every stage with its steps', () => {
    expect(declarativeProblems(text)).toEqual([]);
    const pipeline = parseJenkinsfile(text).blocks[0];
    const stages = pipeline?.children.find((c) => c.name === 'stages')?.children ?? [];
    expect(stages.map((s) => s.name)).toEqual(['stage', 'stage', 'stage', 'stage']);
  });

  it('the structural check rejects broken pipelines', () => {
    expect(declarativeProblems(text.replace('stages {', 'stagez {'))).toContainEqual(
      expect.stringMatching(/`stagez` is not a pipeline section|no stages/),
    );
    expect(
      declarativeProblems(
        text.replace("stage('Install') {\n      steps {", "stage('Install') {\n      stepz {"),
      ),
    ).toContainEqual(expect.stringMatching(/`stepz` is not a stage section/));
    expect(() => declarativeProblems(`${text}\n}`)).toThrow(/unbalanced/);
    expect(declarativeProblems('node { sh "make" }')).toEqual([
      'the file must hold exactly one top-level `pipeline { }` block',
    ]);
  });

  it('runs conjecture fix and eval, and shell steps use only single-quoted strings (no Groovy interpolation)', () => {
    const { strings } = parseJenkinsfile(text);
    const shell = strings.filter((s) => s.text.includes('conjecture ') || s.text.includes('curl '));
    expect(shell.some((s) => s.text.includes('conjecture fix --repo . --issue @issue.md'))).toBe(true);
    expect(shell.some((s) => s.text.includes('conjecture eval score'))).toBe(true);
    for (const s of shell) expect(s.quote, `line ${s.line}`).toBe("'''");
  });
});
