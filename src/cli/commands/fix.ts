/**
 * `conjecture fix --repo <path|url> --issue <text|@file|url>`: the whole job on this machine. Leaves
 * the patch, the trace (JSONL + Markdown) and a summary in the output directory; `--apply` applies the
 * patch to the local checkout.
 */
import { join, resolve } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { openModel } from './model.ts';

export const fixCommand = {
  name: 'fix',
  summary: 'fix an issue in a repository with the agent, validated by its tests',
  usage:
    'fix --repo <path|url> --issue <text|@file|github-issue-url> [--commit SHA] [--out DIR] [--attempts N] [--apply] [--skip-patch-policy]',
  options: {
    repo: {
      type: 'string',
      valueName: 'PATH|URL',
      description: 'the repository: a local checkout or a git URL',
    },
    issue: {
      type: 'string',
      valueName: 'TEXT|@FILE|URL',
      description: 'the issue: text, @file with the text (first line is the title), or a GitHub issue URL',
    },
    commit: {
      type: 'string',
      valueName: 'SHA',
      description: 'start from this commit (default: the repository HEAD)',
    },
    instructions: { type: 'string', valueName: 'TEXT', description: 'extra instructions for the agent' },
    out: {
      type: 'string',
      valueName: 'DIR',
      description: 'where to write patch.diff, trace.jsonl, trace.md, summary.json',
    },
    attempts: {
      type: 'string',
      valueName: 'N',
      description: 'independent attempts; the best validated patch wins',
    },
    model: { type: 'string', valueName: 'NAME', description: 'model name (overrides model.name)' },
    'base-url': {
      type: 'string',
      valueName: 'URL',
      description: 'OpenAI-compatible endpoint (overrides model.baseUrl)',
    },
    apply: { type: 'boolean', description: 'apply the chosen patch to the local checkout given by --repo' },
    'skip-patch-policy': {
      type: 'boolean',
      description:
        'local use only: keep (and with --apply, apply) a patch the patch policy refuses (protected paths such as .github/workflows, too many deletions); prints a warning',
    },
  },
  async run(ctx) {
    const repo = ctx.options.repo;
    const issueArg = ctx.options.issue;
    if (typeof repo !== 'string' || !repo)
      throw new UsageError('--repo is required: a local checkout or a git URL', 'fix');
    if (typeof issueArg !== 'string' || !issueArg)
      throw new UsageError('--issue is required: text, @file or a GitHub issue URL', 'fix');
    const attempts = ctx.options.attempts === undefined ? undefined : Number(ctx.options.attempts);
    if (attempts !== undefined && !(Number.isInteger(attempts) && attempts >= 1 && attempts <= 16))
      throw new UsageError('--attempts expects a whole number from 1 to 16', 'fix');

    const [
      { loadConfig },
      { resolveStateDir },
      run,
      sandbox,
      workspace,
      { silentLogger },
      { readIssueInput },
    ] = await Promise.all([
      import('../../config/load.ts'),
      import('../../config/state-dir.ts'),
      import('../../run/index.ts'),
      import('../../sandbox/index.ts'),
      import('../../workspace/index.ts'),
      import('../../core/log.ts'),
      import('../../github/issue-input.ts'),
    ]);
    const flags: Record<string, unknown> = { ...ctx.global.flags };
    if (typeof ctx.options.model === 'string') flags['model.name'] = ctx.options.model;
    if (typeof ctx.options['base-url'] === 'string') flags['model.baseUrl'] = ctx.options['base-url'];
    if (attempts !== undefined) flags['agent.attempts'] = attempts;
    const { config, pinned } = loadConfig({
      env: ctx.io.env,
      cwd: ctx.io.cwd,
      userFile: ctx.global.configFile,
      flags,
    });
    const logger = ctx.global.logLevel ? ctx.createLogger() : silentLogger();
    const stateDir = resolveStateDir(config, ctx.io.env, ctx.io.cwd);
    const issue = await readIssueInput(issueArg, {
      cwd: ctx.io.cwd,
      apiUrl: config.github.apiUrl,
      token: ctx.io.env.GITHUB_TOKEN,
    });
    const remote = /^[a-z]+:\/\//i.test(repo) ? repo : resolve(ctx.io.cwd, repo);
    const id = `fix-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const outDir =
      typeof ctx.options.out === 'string' ? resolve(ctx.io.cwd, ctx.options.out) : join(stateDir, 'runs', id);

    const sandboxes = sandbox.createSandboxProvider(config, logger);
    const cache = workspace.createWorkspaceCache({ cacheDir: join(stateDir, 'cache'), logger });
    const opened = await openModel(ctx, config, { logger, stateDir });
    const chat = opened.model;
    let step = ctx.progress.start(`preparing ${repo}`);
    let phase = 'checkout';
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    try {
      const ran = await run.runFix(
        { model: chat, sandboxes, workspace: cache, logger },
        {
          task: {
            id,
            repo: remote,
            commit: typeof ctx.options.commit === 'string' ? ctx.options.commit : undefined,
            issue,
            instructions: typeof ctx.options.instructions === 'string' ? ctx.options.instructions : undefined,
          },
          config,
          pinned,
          outDir,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase !== phase) {
              step.succeed();
              phase = p.phase;
              step = ctx.progress.start(run.describeProgress(p));
            } else step.update(run.describeProgress(p));
          },
        },
      );
      step.succeed();
      await cache.idle();
      // The same policy the app applies before it pushes (THREATS.md #34).
      const gated = run.gatePatch(ran);
      const override = gated.violations.length > 0 && ctx.options['skip-patch-policy'] === true;
      const result = override ? ran : gated.result;
      if (override)
        ctx.io.stderr.write(
          [
            '',
            '!!! WARNING: --skip-patch-policy: the patch policy REFUSED this patch and you chose to keep it:',
            ...gated.violations.map((v) => `!!!   - ${v.message}`),
            '!!! Conjecture would never push this. Review every line of patch.diff before you use it.',
            '',
          ].join('\n'),
        );
      if (ctx.options.apply && result.patch && result.outcome !== 'rejected' && !/^[a-z]+:\/\//i.test(repo))
        await run.applyToLocalCheckout(remote, result.patch);
      ctx.out.data(run.summaryJson(result));
      const applied = Boolean(ctx.options.apply) && result.outcome !== 'rejected';
      for (const line of run.summaryLines(result, applied)) ctx.out.line(line);
      return result.outcome === 'validated' || result.outcome === 'unvalidated' ? 0 : 1;
    } catch (err) {
      step.fail();
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      await opened.dispose();
    }
  },
} satisfies Command;
