/**
 * A local stand-in for the parts of GitHub the app uses: the REST endpoints (each request and
 * response checked against GitHub's OpenAPI description; any mismatch is recorded in `problems`
 * and tests assert there are none) and git over smart HTTP (`git http-backend`) for clone and push.
 * Installation tokens are scoped to repositories like GitHub's, so cross-repo use is refused.
 */

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readBody } from '../../../src/server/http-io.ts';
import { serveGit } from './git-backend.ts';
import { checkRequest, checkResponse, exampleResponse, type SchemaProblem } from './openapi.ts';
import { type Handler, routes } from './routes.ts';

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface StandinComment {
  id: number;
  body: string;
  user: string;
  userType: 'User' | 'Bot';
  createdAt: string;
  updatedAt: string;
  /** Every body this comment has had, oldest first. */
  history: string[];
}

export interface StandinIssue {
  number: number;
  title: string;
  body: string;
  user: string;
  labels: string[];
  comments: StandinComment[];
  reactions: { content: string; commentId?: number; user: string }[];
  /** On GitHub every pull request is also an issue (its conversation); set for those. */
  isPull?: boolean;
}

export interface StandinPull {
  number: number;
  title: string;
  body: string;
  head: string;
  /** `owner/name` of the repository the head branch is in: this one, or a fork of it. */
  headRepo: string;
  base: string;
  draft: boolean;
  user: string;
  requestedReviewers: string[];
}

export interface StandinRepo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  bareDir: string;
  permissions: Record<string, Permission>;
  issues: Map<number, StandinIssue>;
  pulls: Map<number, StandinPull>;
  checkRuns: Record<string, unknown>[];
  nextNumber: number;
  /** For a fork: `owner/name` of the repository it was forked from. */
  parent?: string;
}

export interface TokenGrant {
  installationId: number;
  /** Full names the token may use; null = every repository of the installation. */
  repositories: string[] | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  template: string | null;
  status: number;
  body: unknown;
  response: unknown;
}

export interface Standin {
  url: string;
  /** Clone URL for a repository: `<url>/git/<owner>/<name>.git`. */
  gitUrl(owner: string, name: string): string;
  repos: Map<string, StandinRepo>;
  tokens: Map<string, TokenGrant>;
  requests: RecordedRequest[];
  problems: SchemaProblem[];
  /** The account an installation is on (by default every installation is on the first repo's owner). */
  addInstallation(id: number, account: string): void;
  addRepo(options: {
    owner: string;
    name: string;
    sourceDir: string;
    permissions?: Record<string, Permission>;
  }): StandinRepo;
  addIssue(
    repo: StandinRepo,
    issue: { title: string; body: string; user: string; labels?: string[] },
  ): StandinIssue;
  /**
   * Set a canned failure for the next N requests matching a template (rate-limit tests). `message`
   * is the error body's message, e.g. GitHub's "You have exceeded a secondary rate limit".
   */
  failNext(
    template: string,
    times: number,
    status: number,
    headers?: Record<string, string>,
    message?: string,
  ): void;
  close(): Promise<void>;
}

export interface StandinState {
  repos: Map<string, StandinRepo>;
  tokens: Map<string, TokenGrant>;
  /** Installation id → the account it is installed on. */
  installations: Map<number, string>;
  baseUrl: string;
  gitRoot: string;
  nextId: () => number;
  /** Register a bare repository under `<gitRoot>/<owner>/<name>.git`, cloned from `source`. */
  createRepo(options: { owner: string; name: string; source: string; parent?: string }): StandinRepo;
}

export async function startGitHubStandin(options: { dir: string; appId?: string }): Promise<Standin> {
  const gitRoot = join(options.dir, 'git');
  mkdirSync(gitRoot, { recursive: true });
  let id = 1000;
  const state: StandinState = {
    repos: new Map(),
    tokens: new Map(),
    installations: new Map(),
    baseUrl: '',
    gitRoot,
    nextId: () => ++id,
    createRepo({ owner, name, source, parent }) {
      const bareDir = join(gitRoot, owner, `${name}.git`);
      mkdirSync(join(gitRoot, owner), { recursive: true });
      execFileSync('git', ['clone', '--quiet', '--bare', source, bareDir]);
      execFileSync('git', ['-C', bareDir, 'config', 'http.receivepack', 'true']);
      const defaultBranch = execFileSync('git', ['-C', bareDir, 'symbolic-ref', '--short', 'HEAD'])
        .toString()
        .trim();
      const repo: StandinRepo = {
        id: state.nextId(),
        owner,
        name,
        defaultBranch,
        bareDir,
        permissions: {},
        issues: new Map(),
        pulls: new Map(),
        checkRuns: [],
        nextNumber: 1,
        parent,
      };
      state.repos.set(`${owner}/${name}`, repo);
      return repo;
    },
  };
  const requests: RecordedRequest[] = [];
  const problems: SchemaProblem[] = [];
  const failures: {
    template: string;
    times: number;
    status: number;
    headers: Record<string, string>;
    message: string;
  }[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      problems.push({ where: `${req.method} ${req.url}`, errors: [`stand-in crashed: ${String(err)}`] });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/git/')) return handleGit(req, res, url);
    const raw = await readBody(req);
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined;
    const method = (req.method ?? 'GET').toLowerCase();
    const match = matchRoute(method, url.pathname);
    const record = (status: number, response: unknown) =>
      requests.push({
        method: method.toUpperCase(),
        path: url.pathname,
        template: match?.template ?? null,
        status,
        body,
        response,
      });
    if (!match) {
      problems.push({
        where: `${method.toUpperCase()} ${url.pathname}`,
        errors: ['endpoint not served by the stand-in'],
      });
      record(404, null);
      return send(res, 404, { message: 'Not Found' });
    }
    const failure = failures.find((f) => f.template === match.template && f.times > 0);
    if (failure) {
      failure.times--;
      record(failure.status, null);
      for (const [k, v] of Object.entries(failure.headers)) res.setHeader(k, v);
      return send(res, failure.status, {
        message: failure.message,
        documentation_url: 'https://docs.github.com',
      });
    }
    if (body !== undefined) {
      const problem = checkRequest(match.template, method, body);
      if (problem) problems.push(problem);
    }
    const auth = authorize(req.headers.authorization, match.params, match.template);
    if (auth.status !== 200) {
      record(auth.status, null);
      return send(res, auth.status, {
        message: auth.message,
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    const result = match.handler({
      state,
      params: match.params,
      body: (body ?? {}) as Record<string, unknown>,
      query: url.searchParams,
      example: (s) => exampleResponse(match.template, method, s),
    });
    if (result.body !== undefined && result.status < 300) {
      const problem = checkResponse(match.template, method, result.status, result.body);
      if (problem) problems.push(problem);
    }
    record(result.status, result.body ?? null);
    send(res, result.status, result.body);
  }

  function authorize(
    header: string | undefined,
    params: Record<string, string>,
    template: string,
  ): { status: number; message?: string } {
    if (template.startsWith('/app/') || template === '/users/{username}/installation') {
      return header?.startsWith('bearer ') || header?.startsWith('Bearer ')
        ? { status: 200 }
        : { status: 401, message: 'A JSON web token could not be decoded' };
    }
    const token = header?.replace(/^(token|bearer)\s+/i, '');
    const grant = token ? state.tokens.get(token) : undefined;
    if (!grant) return { status: 401, message: 'Bad credentials' };
    const full = params.owner && params.repo ? `${params.owner}/${params.repo}` : null;
    if (full && grant.repositories && !grant.repositories.includes(full))
      return { status: 404, message: 'Not Found' };
    return { status: 200 };
  }

  function handleGit(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const match = /^\/git\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
    const repo = match ? state.repos.get(`${match[1]}/${match[2]}`) : undefined;
    const basic = req.headers.authorization?.replace(/^Basic\s+/i, '');
    const password = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':') : '';
    const grant = state.tokens.get(password);
    if (!match || !repo) return void res.writeHead(404).end();
    if (!grant || (grant.repositories && !grant.repositories.includes(`${repo.owner}/${repo.name}`))) {
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        template: 'git',
        status: 401,
        body: null,
        response: null,
      });
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="GitHub"' }).end();
      return;
    }
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      template: 'git',
      status: 200,
      body: null,
      response: null,
    });
    serveGit({
      req,
      res,
      projectRoot: gitRoot,
      pathInfo: `/${repo.owner}/${repo.name}.git${match[3]}`,
      query: url.search.slice(1),
      remoteUser: 'x-access-token',
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: state.baseUrl,
    gitUrl: (owner, name) => `${state.baseUrl}/git/${owner}/${name}.git`,
    repos: state.repos,
    tokens: state.tokens,
    requests,
    problems,
    addInstallation(installationId, account) {
      state.installations.set(installationId, account);
    },
    addRepo({ owner, name, sourceDir, permissions }) {
      const repo = state.createRepo({ owner, name, source: sourceDir });
      repo.permissions = permissions ?? {};
      return repo;
    },
    addIssue(repo, issue) {
      const created: StandinIssue = {
        number: repo.nextNumber++,
        title: issue.title,
        body: issue.body,
        user: issue.user,
        labels: issue.labels ?? [],
        comments: [],
        reactions: [],
      };
      repo.issues.set(created.number, created);
      return created;
    },
    failNext(template, times, status, headers = {}, message = 'stand-in failure') {
      failures.push({ template, times, status, headers, message });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A fresh random installation token in GitHub's current format. */
export function newInstallationToken(): string {
  return `ghs_${randomBytes(30).toString('base64url').replace(/[-_]/g, 'a').slice(0, 36)}`;
}

function matchRoute(
  method: string,
  path: string,
): { template: string; handler: Handler; params: Record<string, string> } | null {
  for (const route of routes) {
    if (route.method !== method) continue;
    const names: string[] = [];
    const pattern = route.template.replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return name === 'path' ? '(.+)' : '([^/]+)';
    });
    const m = new RegExp(`^${pattern}$`).exec(path);
    if (m)
      return {
        template: route.template,
        handler: route.handler,
        params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])),
      };
  }
  return null;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (status === 204 || body === undefined) return void res.writeHead(status).end();
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-ratelimit-remaining': '4999',
  });
  res.end(JSON.stringify(body));
}
