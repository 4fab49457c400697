/**
 * The REST endpoints the app calls, answered from the stand-in's state. Responses start from
 * GitHub's own documented examples and are overridden with the state, so their shape is GitHub's.
 */
import { execFileSync } from 'node:child_process';
import type { StandinIssue, StandinRepo, StandinState } from './standin.ts';
import { newInstallationToken } from './standin.ts';

export interface HandlerInput {
  state: StandinState;
  params: Record<string, string>;
  body: Record<string, unknown>;
  query: URLSearchParams;
  example: (status: number) => Record<string, unknown>;
}
export type Handler = (input: HandlerInput) => { status: number; body?: unknown };

const now = () => new Date().toISOString();

function repoOf({ state, params }: HandlerInput): StandinRepo {
  const repo = state.repos.get(`${params.owner}/${params.repo}`);
  if (!repo) throw new Error(`unknown repo ${params.owner}/${params.repo}`);
  return repo;
}

function issueOf(input: HandlerInput): StandinIssue | undefined {
  return repoOf(input).issues.get(Number(input.params.issue_number));
}

function userJson(login: string, type: 'User' | 'Bot' = 'User'): Record<string, unknown> {
  return {
    login,
    id: login.length * 7919,
    node_id: `U_${login}`,
    avatar_url: '',
    gravatar_id: '',
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
    followers_url: '',
    following_url: '',
    gists_url: '',
    starred_url: '',
    subscriptions_url: '',
    organizations_url: '',
    repos_url: '',
    events_url: '',
    received_events_url: '',
    type,
    site_admin: false,
  };
}

function commentJson(
  input: HandlerInput,
  issue: number,
  c: StandinIssue['comments'][number],
  status: number,
): Record<string, unknown> {
  const repo = repoOf(input);
  return {
    ...input.example(status),
    id: c.id,
    node_id: `IC_${c.id}`,
    body: c.body,
    user: userJson(c.user, c.userType),
    html_url: `https://github.com/${repo.owner}/${repo.name}/issues/${issue}#issuecomment-${c.id}`,
    issue_url: `https://api.github.com/repos/${repo.owner}/${repo.name}/issues/${issue}`,
    url: `https://api.github.com/repos/${repo.owner}/${repo.name}/issues/comments/${c.id}`,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: 'NONE',
  };
}

function labelsJson(labels: string[]): Record<string, unknown>[] {
  return labels.map((name, i) => ({
    id: i + 1,
    node_id: `L_${i}`,
    url: '',
    name,
    description: null,
    color: 'ededed',
    default: false,
  }));
}

function issueJson(input: HandlerInput, issue: StandinIssue): Record<string, unknown> {
  const repo = repoOf(input);
  return {
    ...input.example(200),
    number: issue.number,
    title: issue.title,
    body: issue.body,
    user: userJson(issue.user),
    state: 'open',
    labels: labelsJson(issue.labels),
    comments: issue.comments.length,
    pull_request: issue.isPull
      ? {
          url: `https://api.github.com/repos/${repo.owner}/${repo.name}/pulls/${issue.number}`,
          html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${issue.number}`,
          diff_url: null,
          patch_url: null,
        }
      : undefined,
    html_url: `https://github.com/${repo.owner}/${repo.name}/${issue.isPull ? 'pull' : 'issues'}/${issue.number}`,
  };
}

function pullJson(input: HandlerInput, number: number, status: number): Record<string, unknown> {
  const repo = repoOf(input);
  const pull = repo.pulls.get(number)!;
  const base = input.example(status);
  const branch = (where: StandinRepo, ref: string) => {
    const example = base.head as { repo: Record<string, unknown> };
    return {
      ...example,
      ref,
      sha: execFileSync('git', ['-C', where.bareDir, 'rev-parse', `refs/heads/${ref}`])
        .toString()
        .trim(),
      label: `${where.owner}:${ref}`,
      user: userJson(where.owner),
      repo: {
        ...example.repo,
        id: where.id,
        name: where.name,
        full_name: `${where.owner}/${where.name}`,
        owner: userJson(where.owner),
        fork: where.parent !== undefined,
        clone_url: `${input.state.baseUrl}/git/${where.owner}/${where.name}.git`,
        default_branch: where.defaultBranch,
      },
    };
  };
  const headRepo = input.state.repos.get(pull.headRepo) ?? repo;
  return {
    ...base,
    number,
    title: pull.title,
    body: pull.body,
    draft: pull.draft,
    state: 'open',
    user: userJson(pull.user, 'Bot'),
    html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${number}`,
    head: branch(headRepo, pull.head),
    base: branch(repo, pull.base),
    requested_reviewers: pull.requestedReviewers.map((r) => userJson(r)),
    requested_teams: [],
  };
}

function repoJson(
  input: HandlerInput,
  repo: StandinRepo,
  example: Record<string, unknown>,
): Record<string, unknown> {
  return {
    ...example,
    id: repo.id,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: { ...(example.owner as object), ...userJson(repo.owner) },
    fork: repo.parent !== undefined,
    clone_url: `${input.state.baseUrl}/git/${repo.owner}/${repo.name}.git`,
    default_branch: repo.defaultBranch,
    // GitHub's fork example predates this required field.
    has_discussions: example.has_discussions ?? false,
    private: false,
    language: null,
    // GitHub's example is a fork whose `source` lacks fields its own schema requires.
    source: undefined,
    parent: undefined,
  };
}

export const routes: { method: string; template: string; handler: Handler }[] = [
  {
    method: 'post',
    template: '/app/installations/{installation_id}/access_tokens',
    handler: (input) => {
      const names = input.body.repositories as string[] | undefined;
      const installationId = Number(input.params.installation_id);
      const owner =
        input.state.installations.get(installationId) ?? [...input.state.repos.values()][0]?.owner;
      if (names?.some((n) => !input.state.repos.has(`${owner}/${n}`)))
        return {
          status: 422,
          body: {
            message:
              'There is at least one repository that does not exist or is not accessible to the parent installation.',
            documentation_url: 'https://docs.github.com/rest/apps/apps',
          },
        };
      const token = newInstallationToken();
      input.state.tokens.set(token, {
        installationId,
        repositories: names ? names.map((n) => `${owner}/${n}`) : null,
      });
      const expires = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
      return {
        status: 201,
        body: {
          token,
          expires_at: expires,
          permissions: input.body.permissions ?? {
            issues: 'write',
            contents: 'write',
            pull_requests: 'write',
            metadata: 'read',
          },
          repository_selection: names ? 'selected' : 'all',
        },
      };
    },
  },
  {
    method: 'get',
    template: '/users/{username}/installation',
    handler: (input) => {
      const found = [...input.state.installations].find(
        ([, account]) => account.toLowerCase() === input.params.username!.toLowerCase(),
      );
      if (!found) return { status: 404, body: { message: 'Not Found' } };
      const example = input.example(200);
      return {
        status: 200,
        body: {
          ...example,
          id: found[0],
          account: { ...userJson(found[1]), type: 'Organization' },
          target_type: 'Organization',
        },
      };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}',
    handler: (input) => ({ status: 200, body: repoJson(input, repoOf(input), input.example(200)) }),
  },
  {
    method: 'post',
    template: '/repos/{owner}/{repo}/forks',
    handler: (input) => {
      const base = repoOf(input);
      const owner = String(input.body.organization ?? '');
      if (!owner) return { status: 422, body: { message: 'the stand-in forks only into an organization' } };
      const parent = `${base.owner}/${base.name}`;
      const name = typeof input.body.name === 'string' ? input.body.name : base.name;
      // GitHub answers a repeated fork request with the existing fork.
      const existing = [...input.state.repos.values()].find((r) => r.owner === owner && r.parent === parent);
      const taken = input.state.repos.get(`${owner}/${name}`);
      if (!existing && taken)
        return {
          status: 422,
          body: { message: `${owner}/${name} already exists and is not a fork of ${parent}` },
        };
      const fork =
        existing ??
        input.state.createRepo({
          owner,
          name,
          source: base.bareDir,
          parent,
        });
      return { status: 202, body: repoJson(input, fork, input.example(202)) };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/collaborators/{username}/permission',
    handler: (input) => {
      const permission = repoOf(input).permissions[input.params.username!] ?? 'read';
      const legacy = permission === 'maintain' ? 'write' : permission === 'triage' ? 'read' : permission;
      return {
        status: 200,
        body: {
          permission: legacy,
          role_name: permission,
          user: { ...userJson(input.params.username!), permissions: undefined, role_name: permission },
        },
      };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/issues/{issue_number}',
    handler: (input) => {
      const issue = issueOf(input);
      return issue
        ? { status: 200, body: issueJson(input, issue) }
        : { status: 404, body: { message: 'Not Found' } };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handler: (input) => {
      const issue = issueOf(input);
      return {
        status: 200,
        body: (issue?.comments ?? []).map((c) => commentJson(input, issue!.number, c, 200)),
      };
    },
  },
  {
    method: 'post',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handler: (input) => {
      const issue = issueOf(input)!;
      const at = now();
      const comment = {
        id: input.state.nextId(),
        body: String(input.body.body),
        user: 'conjecture[bot]',
        userType: 'Bot' as const,
        createdAt: at,
        updatedAt: at,
        history: [String(input.body.body)],
      };
      issue.comments.push(comment);
      return { status: 201, body: commentJson(input, issue.number, comment, 201) };
    },
  },
  {
    method: 'patch',
    template: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    handler: (input) => {
      for (const issue of repoOf(input).issues.values()) {
        const comment = issue.comments.find((c) => c.id === Number(input.params.comment_id));
        if (!comment) continue;
        comment.body = String(input.body.body);
        comment.updatedAt = now();
        comment.history.push(comment.body);
        return { status: 200, body: commentJson(input, issue.number, comment, 200) };
      }
      return { status: 404, body: { message: 'Not Found' } };
    },
  },
  ...(
    [
      '/repos/{owner}/{repo}/issues/{issue_number}/reactions',
      '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
      '/repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions',
    ] as const
  ).map((template) => ({
    method: 'post',
    template,
    handler: (input: HandlerInput) => {
      const repo = repoOf(input);
      const commentId = input.params.comment_id ? Number(input.params.comment_id) : undefined;
      const issue = commentId
        ? [...repo.issues.values()].find((i) => i.comments.some((c) => c.id === commentId))
        : issueOf(input);
      issue?.reactions.push({ content: String(input.body.content), commentId, user: 'conjecture[bot]' });
      return {
        status: 201,
        body: {
          ...input.example(201),
          id: input.state.nextId(),
          content: input.body.content,
          user: userJson('conjecture[bot]', 'Bot'),
          created_at: now(),
        },
      };
    },
  })),
  {
    method: 'post',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    handler: (input) => {
      const issue = issueOf(input)!;
      for (const l of (input.body.labels as string[]) ?? [])
        if (!issue.labels.includes(l)) issue.labels.push(l);
      return { status: 200, body: labelsJson(issue.labels) };
    },
  },
  {
    method: 'delete',
    template: '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
    handler: (input) => {
      const issue = issueOf(input)!;
      if (!issue.labels.includes(input.params.name!))
        return { status: 404, body: { message: 'Label does not exist' } };
      issue.labels = issue.labels.filter((l) => l !== input.params.name);
      return { status: 200, body: labelsJson(issue.labels) };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/contents/{path}',
    handler: (input) => {
      const repo = repoOf(input);
      const ref = input.query.get('ref') ?? repo.defaultBranch;
      let content: Buffer;
      try {
        content = execFileSync('git', ['-C', repo.bareDir, 'show', `${ref}:${input.params.path}`], {
          stdio: ['ignore', 'pipe', 'ignore'],
        });
      } catch {
        return {
          status: 404,
          body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/contents' },
        };
      }
      const name = input.params.path!.split('/').pop()!;
      return {
        status: 200,
        body: {
          type: 'file',
          encoding: 'base64',
          size: content.length,
          name,
          path: input.params.path,
          content: content.toString('base64'),
          sha: '0'.repeat(40),
          url: '',
          git_url: null,
          html_url: null,
          download_url: null,
          _links: { self: '', git: null, html: null },
        },
      };
    },
  },
  {
    method: 'post',
    template: '/repos/{owner}/{repo}/pulls',
    handler: (input) => {
      const repo = repoOf(input);
      // `owner:branch` names a branch in a fork of this repository (or in this repository itself).
      const [headOwner, head] = String(input.body.head).includes(':')
        ? (String(input.body.head).split(/:(.*)/s, 2) as [string, string])
        : [repo.owner, String(input.body.head)];
      const full = `${repo.owner}/${repo.name}`;
      const headRepo =
        headOwner === repo.owner
          ? repo
          : [...input.state.repos.values()].find((r) => r.owner === headOwner && r.parent === full);
      try {
        if (!headRepo) throw new Error('no fork');
        execFileSync('git', ['-C', headRepo.bareDir, 'rev-parse', '--verify', `refs/heads/${head}`], {
          stdio: 'ignore',
        });
      } catch {
        return {
          status: 422,
          body: {
            message: 'Validation Failed',
            errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
          },
        };
      }
      const number = repo.nextNumber++;
      repo.pulls.set(number, {
        number,
        title: String(input.body.title),
        body: String(input.body.body ?? ''),
        head,
        headRepo: `${headRepo!.owner}/${headRepo!.name}`,
        base: String(input.body.base),
        draft: Boolean(input.body.draft),
        user: 'conjecture[bot]',
        requestedReviewers: [],
      });
      // The pull request's conversation is an issue with the same number.
      repo.issues.set(number, {
        number,
        title: String(input.body.title),
        body: String(input.body.body ?? ''),
        user: 'conjecture[bot]',
        labels: [],
        comments: [],
        reactions: [],
        isPull: true,
      });
      return { status: 201, body: pullJson(input, number, 201) };
    },
  },
  {
    method: 'get',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    handler: (input) =>
      repoOf(input).pulls.has(Number(input.params.pull_number))
        ? { status: 200, body: pullJson(input, Number(input.params.pull_number), 200) }
        : { status: 404, body: { message: 'Not Found' } },
  },
  {
    method: 'patch',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}',
    handler: (input) => {
      const pull = repoOf(input).pulls.get(Number(input.params.pull_number));
      if (!pull) return { status: 404, body: { message: 'Not Found' } };
      if (typeof input.body.title === 'string') pull.title = input.body.title;
      if (typeof input.body.body === 'string') pull.body = input.body.body;
      return { status: 200, body: pullJson(input, pull.number, 200) };
    },
  },
  {
    method: 'post',
    template: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
    handler: (input) => {
      const pull = repoOf(input).pulls.get(Number(input.params.pull_number))!;
      pull.requestedReviewers.push(...((input.body.reviewers as string[]) ?? []));
      return { status: 201, body: pullJson(input, pull.number, 201) };
    },
  },
  {
    method: 'post',
    template: '/repos/{owner}/{repo}/check-runs',
    handler: (input) => {
      repoOf(input).checkRuns.push(input.body);
      return {
        status: 201,
        body: {
          ...input.example(201),
          id: input.state.nextId(),
          name: input.body.name,
          head_sha: input.body.head_sha,
          status: input.body.status ?? 'completed',
          conclusion: input.body.conclusion ?? null,
        },
      };
    },
  },
];
