/**
 * THREAT #34: the CLI applies unchecked patches. `conjecture fix` (the real CLI process, real
 * Docker, real git, a scripted model over HTTP) on an agent that also rewrites CI: the same patch
 * policy as the app refuses it — non-zero exit, a clear reason, nothing applied with `--apply`.
 * `--skip-patch-policy` (local use) keeps it, and says so loudly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import {
  type ScriptedServer,
  type ScriptedTurn,
  startScriptedServer,
} from '../../src/model/scripted-server.ts';
import { CALC_ISSUE, FIX_ADD, makeCalcRepo } from '../support/calc-repo.ts';
import { runFixCli } from '../support/fix-cli.ts';
import { describeIf, missingDocker } from '../support/prereq.ts';

const bash = (command: string): ScriptedTurn => ({ content: `Next.\n\`\`\`bash\n${command}\n\`\`\`` });
const TURNS = [
  bash(FIX_ADD),
  bash('mkdir -p .github/workflows && printf "on: push\\njobs: {}\\n" > .github/workflows/ci.yml'),
  bash('echo CONJECTURE_SUBMIT'),
];

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function fix(extra: string[]) {
  server = await startScriptedServer({ turns: TURNS });
  const repo = makeCalcRepo();
  const run = await runFixCli({
    repo,
    issue: CALC_ISSUE,
    baseUrl: server.url,
    json: false,
    args: ['--apply', ...extra],
  });
  return { ...run, repo };
}

describeIf(missingDocker(), 'THREAT #34: conjecture fix applies the same patch policy as the app', () => {
  it('refuses a patch that changes .github/workflows/ci.yml: exit 1, a clear reason, nothing applied', async () => {
    const r = await fix([]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(
      'rejected: the patch was refused: .github/workflows/ci.yml matches the protected path .github/workflows/**',
    );
    expect(r.stdout).toContain('--skip-patch-policy');
    expect(r.stdout).not.toContain('applied to your checkout');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(r.repo, '.github', 'workflows', 'ci.yml'))).toBe(false);
    expect(readFileSync(join(r.repo, 'src', 'calc.js'), 'utf8')).toContain('return a - b;');
  }, 180_000);

  it('--skip-patch-policy keeps and applies it, with a loud warning', async () => {
    const r = await fix(['--skip-patch-policy']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('WARNING: --skip-patch-policy: the patch policy REFUSED this patch');
    expect(r.stderr).toContain('.github/workflows/ci.yml matches the protected path .github/workflows/**');
    expect(readFileSync(join(r.repo, '.github', 'workflows', 'ci.yml'), 'utf8')).toContain('on: push');
  }, 180_000);
});
