/**
 * `conjecture doctor`: can this machine run Conjecture? One ✔/✖ line per check, with the fix for
 * each failure. Exit 0 when every required check passes, 1 otherwise.
 */
import { resolveStateDir } from '../../config/state-dir.ts';
import { decidedProvider } from '../../model/embedded/provider.ts';
import type { Command } from '../command.ts';
import { type CheckResult, type DoctorCheck, runChecks } from '../doctor/check.ts';
import { embeddedChecks } from '../doctor/embedded-checks.ts';
import { diskCheck, gitCheck, nodeCheck } from '../doctor/host-checks.ts';
import { modelChecks } from '../doctor/model-checks.ts';
import { dockerCheck, imageCheck, policyCheck, workspaceLimitCheck } from '../doctor/sandbox-checks.ts';
import { UsageError } from '../errors.ts';

const MARKS = { pass: '✔', fail: '✖', warn: '⚠', skip: '–' } as const;

export const doctorCommand = {
  name: 'doctor',
  summary: 'check that this machine can run Conjecture (Node, git, Docker, sandbox image, model, disk)',
  usage: 'doctor [--timeout-ms MS] [--json]',
  options: {
    'timeout-ms': { type: 'string', valueName: 'MS', description: 'deadline for each check (default 5000)' },
  },
  async run(ctx) {
    const timeoutMs = parseTimeout(ctx.options['timeout-ms']);
    const { config } = ctx.loadConfig();
    const stateDir = resolveStateDir(config, ctx.io.env, ctx.io.cwd);
    const checks: DoctorCheck[] = [nodeCheck(), gitCheck()];
    // Seam: sandbox runtimes other than Docker bring their own checks here.
    if (config.sandbox.runtime === 'docker')
      checks.push(
        dockerCheck(config.sandbox),
        imageCheck(config.sandbox),
        policyCheck(config.sandbox, stateDir),
        workspaceLimitCheck(config.sandbox, stateDir),
      );
    checks.push(
      ...(decidedProvider(config.model)?.provider === 'openai-compatible'
        ? modelChecks(config.model, timeoutMs)
        : embeddedChecks(config.model, stateDir, ctx.io.cwd)),
      diskCheck(stateDir),
    );

    const results = await ctx.progress.step('checking', () => runChecks(checks, timeoutMs));
    const failed = results.filter((r) => r.required && r.status === 'fail');
    ctx.out.data({ ok: failed.length === 0, checks: results });
    for (const r of results) ctx.out.line(renderResult(r));
    if (config.sandbox.runtime === 'local')
      ctx.out.line(`${MARKS.warn} sandbox.runtime is local: commands run on this host without isolation`);
    if (config.github.appId && config.github.pushMode === 'branch')
      ctx.out.line(
        `${MARKS.warn} github.pushMode is branch: the app pushes conjecture/* into each repository, where \`on: push\` workflows run the agent's code with its secrets\n    fix: set github.pushMode=fork and github.forkOwner, or add branches-ignore: ['conjecture/**'] to those workflows (SECURITY.md #35)`,
      );
    ctx.out.line();
    ctx.out.line(
      failed.length === 0
        ? 'all required checks passed'
        : `${failed.length} required check${failed.length > 1 ? 's' : ''} failed`,
    );
    return failed.length === 0 ? 0 : 1;
  },
} satisfies Command;

function renderResult(r: CheckResult): string {
  const fix = r.fix && (r.status === 'fail' || r.status === 'warn') ? `\n    fix: ${r.fix}` : '';
  const message = r.status === 'skip' ? `${r.title}: ${r.message}` : r.message;
  return `${MARKS[r.status]} ${message}${fix}`;
}

function parseTimeout(raw: unknown): number {
  if (raw === undefined) return 5_000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(
      `--timeout-ms: expected a positive number of milliseconds, got "${String(raw)}"`,
      'doctor',
    );
  return n;
}
