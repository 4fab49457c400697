/**
 * Fork push mode (THREATS.md #35): the agent's branch is pushed to a fork the app controls under
 * `github.forkOwner`, never into the base repository, so the base's `on: push` workflows do not run
 * it and GitHub's approval rules for outside contributions apply to the pull request. The fork is
 * created on first use (or reused: GitHub answers with the existing fork) and pushed to with a token
 * scoped to the fork alone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConjectureError } from '../core/errors.ts';
import type { GitHubClient } from '../github/index.ts';

/** Where a run's branch goes: the repository, its clone URL, and a token for that repository only. */
export interface PushTarget {
  owner: string;
  repo: string;
  cloneUrl: string;
  token: string;
  /** True when the target is a fork: the PR's head is `<owner>:<branch>`. */
  fork: boolean;
}

export interface ForkOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  forkOwner: string;
  mintForkToken(owner: string, repo: string): Promise<string>;
  signal?: AbortSignal;
  /** How long to wait for GitHub to finish creating the fork. */
  timeoutMs?: number;
  pollMs?: number;
}

/** Create (or reuse) the fork and wait until a fork-scoped token can read it. */
export async function ensureFork(o: ForkOptions): Promise<PushTarget> {
  const { data } = await o.octokit.rest.repos.createFork({
    owner: o.owner,
    repo: o.repo,
    organization: o.forkOwner,
    default_branch_only: true,
  });
  const fork = { owner: data.owner.login, repo: data.name, cloneUrl: data.clone_url };
  if (fork.owner.toLowerCase() !== o.forkOwner.toLowerCase())
    throw new ConjectureError(
      `GitHub created the fork of ${o.owner}/${o.repo} under ${fork.owner}, not ${o.forkOwner}`,
      {
        code: 'fork_owner_mismatch',
        hint: 'github.forkOwner must be an organization the app is installed on',
      },
    );
  // Forking is asynchronous on GitHub: the repository answers a little after the 202.
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  let lastError: unknown;
  for (let wait = o.pollMs ?? 500; Date.now() < deadline; wait = Math.min(wait * 2, 5_000)) {
    o.signal?.throwIfAborted();
    try {
      const token = await o.mintForkToken(fork.owner, fork.repo);
      return { ...fork, token, fork: true };
    } catch (err) {
      lastError = err;
    }
    await sleep(wait, undefined, { signal: o.signal });
  }
  throw new ConjectureError(
    `the fork ${fork.owner}/${fork.repo} did not become usable in time: ${String(lastError)}`,
    {
      code: 'fork_unavailable',
      hint: `install the app on ${o.forkOwner} for all repositories (contents: write, administration: write)`,
    },
  );
}
