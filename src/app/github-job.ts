/**
 * A run triggered on GitHub: a token scoped to the one repository, the shared pipeline, the host-side
 * checks on the patch, a push of `conjecture/*` from a fresh clone, a draft PR, and progress on the
 * issue (status comment, labels) as it goes.
 */
import { join, relative } from 'node:path';
import type { Config } from '../config/schema.ts';
import { ConfigError, ConjectureError, describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Model } from '../core/model.ts';
import type { SandboxProvider } from '../core/sandbox.ts';
import {
  createStatusReporter,
  type GitHubClient,
  type PullRequestRun,
  publicText,
  pullRequestBodyOf,
  RUN_LABELS,
  type RunStatus,
  renderPullRequestTitle,
  runSummary,
  setRunLabel,
  truncateMarkdown,
} from '../github/index.ts';
import { type JobProgress, toJobProgress } from '../jobs/index.ts';
import { type Progress, patchViolations, type RunResult, runFix } from '../run/index.ts';
import { formatEvidence } from '../validate/index.ts';
import { applyPatch, pushBranch, type WorkspaceCache } from '../workspace/index.ts';
import { ensureFork, type PushTarget } from './fork.ts';
import type { GitHubJobSpec } from './github-job-spec.ts';
import { secretsInCommit } from './push-scan.ts';

/** One run as the worker hands it over: the job id, its spec, and how to tell a cancel from a shutdown. */
export interface GitHubRun {
  id: string;
  spec: GitHubJobSpec;
  signal: AbortSignal;
  /** After the signal fired: who cancelled, or null when it was not a cancel (shutdown: the job is handed back). */
  cancellation(): Promise<{ by?: string } | null>;
  /** Where the run is, for the queue (`/conjecture status`, the API, the web page). */
  progress?(p: JobProgress): Promise<void>;
}

export interface GitHubRunOutcome {
  outcome: 'succeeded' | 'failed' | 'cancelled' | 'handed_back';
  reason?: string;
  prUrl?: string;
  /** For the job history (cost report, web page): tokens, cost and the trace, relative to the state dir. */
  usage?: { promptTokens: number; completionTokens: number };
  costUsd?: number;
  traceLocation?: string;
}

export interface GitHubJobDeps {
  config: Config;
  logger: Logger;
  model: Model;
  sandboxes: SandboxProvider;
  workspace: WorkspaceCache;
  stateDir: string;
  octokitFor(installationId: number): Promise<GitHubClient>;
  /** An installation token limited to one repository (contents, pull requests, issues). */
  mintToken(installationId: number, owner: string, repo: string): Promise<string>;
  /** Fork mode: a token of the app's installation on the fork owner, limited to the one fork (contents). */
  mintForkToken?(owner: string, repo: string): Promise<string>;
  botLogin?: string;
  /** Host-held secrets that must never be published. */
  secrets: string[];
  /** Settings the operator pinned in the environment or flags (`LoadedConfig.pinned`). */
  pinned?: readonly string[];
}

export async function runGitHubJob(deps: GitHubJobDeps, job: GitHubRun): Promise<GitHubRunOutcome> {
  const { spec } = job;
  const log = deps.logger.child({ jobId: job.id, repo: `${spec.owner}/${spec.repo}`, issue: spec.number });
  const octokit = await deps.octokitFor(spec.installationId);
  const where = { owner: spec.owner, repo: spec.repo, issueNumber: spec.number };
  const token = await deps.mintToken(spec.installationId, spec.owner, spec.repo);
  const secrets = [...deps.secrets, token];
  const reporter = createStatusReporter(octokit, {
    ...where,
    jobId: job.id,
    botLogin: deps.botLogin,
    secrets,
    logger: log,
    minIntervalMs: 3_000,
  });
  const fail = async (reason: string, evidence?: string) => {
    await reporter.update({ state: 'failed', reason, evidence });
    await setRunLabel(octokit, { ...where, state: 'failed' });
    return { outcome: 'failed', reason } satisfies GitHubRunOutcome;
  };

  await setRunLabel(octokit, { ...where, state: 'in-progress' });
  await reporter.update({ state: 'preparing' });
  let target: PushTarget;
  try {
    target = await pushTarget(deps, octokit, spec, token, job.signal);
  } catch (err) {
    if (job.signal.aborted) return stopped(octokit, reporter, where, job);
    log.error({ err }, 'no push target');
    return fail(describeError(err));
  }
  if (target.fork) secrets.push(target.token);
  // A follow-up continues from the PR's branch, which lives where this mode pushes.
  const source = spec.pull ? target : { cloneUrl: spec.cloneUrl, token };
  let result: RunResult;
  try {
    result = await runFix(deps, {
      task: {
        id: job.id,
        repo: source.cloneUrl,
        issue: spec.issue,
        instructions: spec.instructions || undefined,
        commit: spec.pull?.branch,
      },
      config: deps.config,
      pinned: deps.pinned,
      // The repository's config comes from the base branch, never the conjecture/* branch the agent wrote.
      configRef: spec.pull ? `refs/heads/${spec.defaultBranch}` : undefined,
      outDir: join(deps.stateDir, 'runs', job.id),
      token: source.token,
      secrets,
      signal: job.signal,
      onProgress: (p) => {
        void job.progress?.(toJobProgress(p)).catch((err) => log.warn({ err }, 'progress update failed'));
        const status = toStatus(p);
        if (status) void reporter.update(status).catch((err) => log.warn({ err }, 'status update failed'));
      },
    });
  } catch (err) {
    if (job.signal.aborted) return stopped(octokit, reporter, where, job);
    if (err instanceof ConfigError)
      return fail(
        `\`.github/conjecture.yml\` is invalid — ${err.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}. Fix the file and comment \`/conjecture retry\`.`,
      );
    log.error({ err }, 'run failed');
    return fail(describeError(err));
  }
  if (result.outcome === 'cancelled' || job.signal.aborted) return stopped(octokit, reporter, where, job);

  const evidence = result.chosen?.validation ? formatEvidence(result.chosen.validation) : undefined;
  const wantsPr =
    result.outcome === 'validated' ||
    result.outcome === 'unvalidated' ||
    (result.outcome === 'failed_validation' && result.config.github.onValidationFailure === 'draft_pr');
  if (!wantsPr || !result.chosen)
    return fail(
      [result.reason, ...result.configNotes.map((n) => `repository config: ${n}`)].join('; '),
      evidence,
    );

  const violations = patchViolations(result);
  if (violations.length > 0)
    return fail(`the patch was refused: ${violations.map((v) => v.message).join('; ')}`);

  const mirror = await deps.workspace.mirror(source.cloneUrl, { token: source.token });
  const applied = await applyPatch({
    mirror,
    baseCommit: result.baseCommit,
    patch: result.patch,
    message: `${renderPullRequestTitle(spec.issue.title, spec.number)}\n\nConjecture job ${job.id}`,
  });
  try {
    const leaked = await secretsInCommit(applied.dir, secrets);
    if (leaked.length > 0)
      return fail(
        `the change was not pushed: it contains what looks like a secret (${leaked.join(', ')}). Nothing was published; the patch stays on the host for review.`,
      );
    const branch =
      spec.pull?.branch ?? `conjecture/issue-${spec.number}-${job.id.replace(/^j/, '').slice(0, 8)}`;
    await pushBranch({ dir: applied.dir, remote: target.cloneUrl, branch, token: target.token });
    const body = pullRequestBodyOf(result as PullRequestRun, {
      // A follow-up runs on the PR's conversation; the body still closes the issue the PR fixes.
      issueNumber: spec.issue.number ?? spec.number,
      triggeredBy: spec.triggeredBy,
      jobId: job.id,
      issueSha256: spec.issueSha256,
      secrets,
    });
    const number = spec.pull
      ? (await updatePullRequest(octokit, spec, spec.pull.number, body)).number
      : (
          await openPullRequest(
            octokit,
            spec,
            target.fork ? `${target.owner}:${branch}` : branch,
            body,
            result,
          )
        ).number;
    if (result.config.github.checkRun)
      await reportCheckRun(octokit, spec, applied.commit, result, evidence, secrets).catch((err) =>
        // An installation that has not granted checks: write still gets its PR.
        log.warn({ err }, 'could not create the check run'),
      );
    const prUrl = `https://github.com/${spec.owner}/${spec.repo}/pull/${number}`;
    await reporter.update({
      state: 'pr_opened',
      number,
      url: prUrl,
      validation:
        result.outcome === 'validated' ? 'passed' : result.outcome === 'unvalidated' ? 'not_run' : 'failed',
    });
    await setRunLabel(octokit, {
      ...where,
      state: result.outcome === 'failed_validation' ? 'failed' : 'done',
    });
    return {
      outcome: 'succeeded',
      prUrl,
      usage: { promptTokens: result.usage.promptTokens, completionTokens: result.usage.completionTokens },
      costUsd: result.usage.costUsd,
      traceLocation: relative(deps.stateDir, result.chosen.tracePath),
    };
  } finally {
    await applied.dispose();
  }
}

async function openPullRequest(
  octokit: GitHubClient,
  spec: GitHubJobSpec,
  head: string,
  body: string,
  result: RunResult,
): Promise<{ number: number }> {
  const { data } = await octokit.rest.pulls.create({
    owner: spec.owner,
    repo: spec.repo,
    title: renderPullRequestTitle(spec.issue.title, spec.number),
    head,
    base: spec.defaultBranch,
    body,
    draft: result.config.github.draft || result.outcome === 'failed_validation',
  });
  if (result.config.github.requestReview && !spec.triggeredByBot) {
    await octokit.rest.pulls
      .requestReviewers({
        owner: spec.owner,
        repo: spec.repo,
        pull_number: data.number,
        reviewers: [spec.triggeredBy],
      })
      .catch(() => {});
  }
  return { number: data.number };
}

/**
 * Where this run pushes: the base repository (`branch` mode) or the app's fork (`fork` mode). A
 * follow-up must find its PR's branch there; a PR whose head lives anywhere else is refused.
 */
async function pushTarget(
  deps: GitHubJobDeps,
  octokit: GitHubClient,
  spec: GitHubJobSpec,
  token: string,
  signal: AbortSignal,
): Promise<PushTarget> {
  const { pushMode, forkOwner } = deps.config.github;
  const target: PushTarget =
    pushMode === 'fork'
      ? await forkTarget(deps, octokit, spec, forkOwner, signal)
      : { owner: spec.owner, repo: spec.repo, cloneUrl: spec.cloneUrl, token, fork: false };
  const headRepo = spec.pull?.headRepo;
  if (spec.pull && (pushMode === 'fork' || headRepo !== undefined)) {
    const expected = `${target.owner}/${target.repo}`;
    if (headRepo?.toLowerCase() !== expected.toLowerCase())
      throw new ConjectureError(
        `this pull request's branch is in ${headRepo ?? 'an unknown repository'}, but Conjecture pushes to ${expected} (github.pushMode is ${pushMode}); open a new run from the issue instead`,
        { code: 'followup_elsewhere' },
      );
  }
  return target;
}

async function forkTarget(
  deps: GitHubJobDeps,
  octokit: GitHubClient,
  spec: GitHubJobSpec,
  forkOwner: string | undefined,
  signal: AbortSignal,
): Promise<PushTarget> {
  const mintForkToken = deps.mintForkToken;
  if (!forkOwner || !mintForkToken)
    throw new ConjectureError('github.pushMode is fork but no fork owner is configured', {
      code: 'fork_unconfigured',
      hint: 'set github.forkOwner to the organization the app forks into',
    });
  return ensureFork({ octokit, owner: spec.owner, repo: spec.repo, forkOwner, mintForkToken, signal });
}

/** The validation result as a check run on the pushed commit, so it shows beside the PR's CI. */
async function reportCheckRun(
  octokit: GitHubClient,
  spec: GitHubJobSpec,
  headSha: string,
  result: RunResult,
  evidence: string | undefined,
  secrets: string[],
): Promise<void> {
  const [conclusion, title] =
    result.outcome === 'validated'
      ? (['success', "The repository's tests pass with this change"] as const)
      : result.outcome === 'failed_validation'
        ? (['failure', "The repository's tests still fail with this change"] as const)
        : (['neutral', 'No test command was found; the change is not validated'] as const);
  await octokit.rest.checks.create({
    owner: spec.owner,
    repo: spec.repo,
    name: 'Conjecture validation',
    head_sha: headSha,
    status: 'completed',
    conclusion,
    completed_at: new Date().toISOString(),
    output: {
      title,
      summary: publicText(runSummary(result), secrets),
      text: evidence ? truncateMarkdown(publicText(evidence, secrets), 60_000) : undefined,
    },
  });
}

/** A follow-up's evidence and trace replace the body, so the PR shows what its head was tested with. */
async function updatePullRequest(
  octokit: GitHubClient,
  spec: GitHubJobSpec,
  number: number,
  body: string,
): Promise<{ number: number }> {
  await octokit.rest.pulls.update({ owner: spec.owner, repo: spec.repo, pull_number: number, body });
  return { number };
}

/** The comment's state for a pipeline phase; `done` is followed by the terminal state, not shown itself. */
function toStatus(p: Progress): RunStatus | undefined {
  if (p.phase === 'done') return undefined;
  if (p.phase === 'agent')
    return {
      state: 'agent',
      step: p.step ?? 0,
      maxSteps: p.maxSteps ?? 0,
      attempt: p.attempt,
      attempts: p.attempts,
    };
  if (p.phase === 'validating' || p.phase === 'selecting') return { state: 'validating', detail: p.detail };
  return { state: 'preparing', detail: p.detail };
}

async function stopped(
  octokit: GitHubClient,
  reporter: ReturnType<typeof createStatusReporter>,
  where: { owner: string; repo: string; issueNumber: number },
  job: GitHubRun,
): Promise<GitHubRunOutcome> {
  const cancel = await job.cancellation();
  if (!cancel) {
    // Shutdown: the job goes back to the queue and another worker (or this one, restarted) runs it.
    await reporter.requeued();
    return { outcome: 'handed_back' };
  }
  await reporter.update({ state: 'cancelled', by: cancel.by });
  await octokit.rest.issues
    .removeLabel({
      owner: where.owner,
      repo: where.repo,
      issue_number: where.issueNumber,
      name: RUN_LABELS['in-progress'],
    })
    .catch(() => {});
  return { outcome: 'cancelled' };
}
