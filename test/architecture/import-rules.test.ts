/**
 * The layering of docs/architecture.md as a test: dependency-cruiser runs .dependency-cruiser.cjs
 * over src/ and must find nothing; and the rules are shown to bite — on a copy of src/ with one
 * forbidden import added, and on a small tree that breaks each rule once.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
const config = createRequire(import.meta.url)(CONFIG) as { forbidden: { name: string }[] };

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs depcruise on `dir/src` with the project's rules; the violations it reports. */
function cruise(dir: string): { violations: Violation[]; modules: number } {
  const run = spawnSync(
    process.execPath,
    [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'json', '--no-cache'],
    { cwd: dir, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.error) throw run.error;
  if (!run.stdout.trim()) throw new Error(`depcruise printed nothing (exit ${run.status}): ${run.stderr}`);
  const out = JSON.parse(run.stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  return { violations: out.summary.violations, modules: out.summary.totalCruised };
}

const brokenRules = (violations: Violation[]) => [...new Set(violations.map((v) => v.rule.name))].sort();
const describeViolation = (v: Violation) => `${v.rule.name}: ${v.from} → ${v.to}`;

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

describe('import rules (docs/architecture.md)', { timeout: 120_000 }, () => {
  it('src/ keeps every rule', () => {
    const { violations, modules } = cruise(ROOT);
    expect(violations.map(describeViolation)).toEqual([]);
    expect(modules).toBeGreaterThan(150);
  });

  it('every folder of src/ has a layer rule (cli/ is the composition root and may import anything)', () => {
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'cli')
      .map((e) => `layer-${e.name}`);
    const layered = config.forbidden.map((r) => r.name).filter((n) => n.startsWith('layer-'));
    expect(folders.filter((f) => !layered.includes(f))).toEqual([]);
  });

  it('fails when app/ imports the server front (a copy of src/ with one import added)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-rules-copy-'));
    cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
    appendFileSync(
      join(dir, 'src', 'app', 'intake.ts'),
      "\nimport { createFront } from '../server/front.ts';\nexport const front = createFront;\n",
    );
    const { violations } = cruise(dir);
    expect(violations.map(describeViolation).sort()).toEqual([
      'app-imports-neither-server-nor-model: src/app/intake.ts → src/server/front.ts',
      'layer-app: src/app/intake.ts → src/server/front.ts',
      'only-cli-starts-servers: src/app/intake.ts → src/server/front.ts',
    ]);
  });

  it('reports each rule on a tree that breaks it, and not the imports that are allowed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-rules-tree-'));
    const value = (name: string) => `export const ${name} = 1;\n`;
    writeTree(dir, {
      'src/core/task.ts': "import { kind } from '../jobs/types.ts';\nexport const task = kind;\n",
      'src/jobs/types.ts': value('kind'),
      'src/jobs/open.ts': `${value('openJobQueue')}export type Queue = { id: string };\n`,
      'src/jobs/worker.ts': value('createWorker'),
      'src/server/front.ts': value('createFront'),
      'src/model/client.ts': value('createClient'),
      'src/sandbox/docker-sandbox.ts': value('createDockerSandbox'),
      'src/app/server.ts':
        "import { createFront } from '../server/front.ts';\nimport { createClient } from '../model/client.ts';\nexport const both = [createFront, createClient];\n",
      'src/eval/run.ts':
        "import { openJobQueue } from '../jobs/open.ts';\nimport { createWorker } from '../jobs/worker.ts';\nexport const run = [openJobQueue, createWorker];\n",
      // A type is no construction: allowed by the construction rules (eval/ may import jobs/).
      'src/eval/types.ts': "import type { Queue } from '../jobs/open.ts';\nexport type Q = Queue;\n",
      // run/ may import sandbox/ (a layer below), but not build a sandbox runtime.
      'src/run/pipeline.ts':
        "import { createDockerSandbox } from '../sandbox/docker-sandbox.ts';\nexport const p = createDockerSandbox;\n",
      // A folder above another: github/ may not import app/ (app/ imports github/).
      'src/github/pr.ts': "import { both } from '../app/server.ts';\nexport const pr = both;\n",
      'src/work/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'src/work/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
      // The composition root may build everything.
      'src/cli/main.ts':
        "import { createFront } from '../server/front.ts';\nimport { openJobQueue } from '../jobs/open.ts';\nimport { createWorker } from '../jobs/worker.ts';\nimport { createClient } from '../model/client.ts';\nimport { createDockerSandbox } from '../sandbox/docker-sandbox.ts';\nexport const all = [createFront, openJobQueue, createWorker, createClient, createDockerSandbox];\n",
    });
    const { violations } = cruise(dir);
    expect(brokenRules(violations)).toEqual([
      'app-imports-neither-server-nor-model',
      'core-imports-nothing-of-ours',
      'layer-app',
      'layer-core',
      'layer-github',
      'no-circular',
      'only-cli-builds-models',
      'only-cli-builds-sandbox-runtimes',
      'only-cli-opens-queues',
      'only-cli-starts-servers',
      'only-cli-starts-workers',
    ]);
    const from = new Set(violations.map((v) => v.from));
    expect(from.has('src/cli/main.ts')).toBe(false);
    expect(from.has('src/eval/types.ts')).toBe(false);
  });
});
