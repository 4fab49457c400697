/**
 * The SWE-bench mirrors are built from the packs in ../shared on first use: several processes asking
 * at once (vitest runs files in parallel; several checkouts may share a cache) get one complete build,
 * and asking again reuses it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { describeIf } from './prereq.ts';
import { missingSwebenchPy } from './swebench.ts';

const run = promisify(execFile);
const MODULE = join(import.meta.dirname, 'swebench.ts');

describeIf(missingSwebenchPy(), 'swebench mirrors built from ../shared', () => {
  const cache = mkdtempSync(join(tmpdir(), 'conjecture-swebench-cache-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));
  const ask = () =>
    run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(MODULE)}); console.log(JSON.stringify(await m.swebenchPyData()));`,
      ],
      { env: { ...process.env, TEST_SWEBENCH_CACHE: cache }, timeout: 120_000 },
    ).then((r) => JSON.parse(r.stdout) as { dataset: string; mirrorDir: string });

  it('builds once for concurrent callers, atomically, and reuses the build', {
    timeout: 180_000,
  }, async () => {
    const answers = await Promise.all([ask(), ask(), ask()]);
    const dirs = new Set(answers.map((a) => a.mirrorDir));
    expect(dirs.size).toBe(1);
    const [mirrorDir] = [...dirs] as [string];
    expect(answers[0]?.dataset).toMatch(/shared\/swebench-py\/dev\.jsonl$/);
    // Only the finished build is left: no temp dir, no lock file.
    expect(readdirSync(cache)).toEqual([mirrorDir.split('/').pop()]);
    // The mirror holds every instance's base commit.
    const bases = readFileSync(answers[0]!.dataset, 'utf8')
      .trim()
      .split('\n')
      .map((l) => `${(JSON.parse(l) as { base_commit: string }).base_commit}^{commit}`);
    const found = await run('git', ['--git-dir', join(mirrorDir, 'sympy__sympy.git'), 'rev-parse', ...bases]);
    expect(found.stdout.trim().split('\n')).toHaveLength(6);
    // A later call finds it and builds nothing.
    const before = readdirSync(join(mirrorDir, 'sympy__sympy.git'));
    expect((await ask()).mirrorDir).toBe(mirrorDir);
    expect(readdirSync(join(mirrorDir, 'sympy__sympy.git'))).toEqual(before);
  });
});
