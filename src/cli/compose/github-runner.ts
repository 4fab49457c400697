/**
 * The GitHub side of a run, for `serve` and `worker`: the Probot instance (app auth), octokits per
 * installation, repository-scoped tokens and the host secrets a published text must never hold.
 */
import { Probot } from 'probot';
import type { GitHubJobDeps } from '../../app/index.ts';
import { githubAppCredentials } from '../../config/github-app.ts';
import type { GitHubClient } from '../../github/index.ts';

/** What a GitHub run needs besides the app's credentials, which this module adds. */
export type RunnerDeps = Omit<GitHubJobDeps, 'octokitFor' | 'mintToken' | 'mintForkToken' | 'secrets'>;

export function createGitHubRunner(deps: RunnerDeps): {
  probot: Probot;
  jobDeps: GitHubJobDeps;
  webhookSecret: string;
} {
  const { config } = deps;
  const { appId, privateKey, webhookSecret } = githubAppCredentials(config.github);
  const probot = new Probot({
    appId,
    privateKey,
    secret: webhookSecret,
    baseUrl: config.github.apiUrl,
    log: deps.logger.child({ component: 'probot' }) as never,
  });
  const jobDeps: GitHubJobDeps = {
    ...deps,
    secrets: [privateKey, webhookSecret, ...(config.model.apiKey ? [config.model.apiKey] : [])],
    octokitFor: async (id) => (await probot.auth(id)) as unknown as GitHubClient,
    mintToken: (id, owner, repo) => mintRepositoryToken(probot, id, owner, repo),
    mintForkToken: async (owner, repo) =>
      mintRepositoryToken(probot, await installationOf(probot, owner), owner, repo, {
        contents: 'write',
        metadata: 'read',
      }),
  };
  if (config.github.pushMode === 'branch')
    deps.logger.warn(
      { pushMode: 'branch' },
      "github.pushMode is branch: conjecture/* branches are pushed into each repository, so its `on: push` workflows run the agent's code with the repository's secrets before review; set github.pushMode=fork and github.forkOwner, or add branches-ignore: ['conjecture/**'] to those workflows (SECURITY.md #35)",
    );
  return { probot, jobDeps, webhookSecret };
}

interface AppClient {
  rest: {
    apps: {
      createInstallationAccessToken(p: Record<string, unknown>): Promise<{ data: { token: string } }>;
      getUserInstallation(p: { username: string }): Promise<{ data: { id: number } }>;
    };
  };
}

/** A token for one repository only (THREATS.md #12), with only the permissions a run needs. */
async function mintRepositoryToken(
  probot: Probot,
  installationId: number,
  _owner: string,
  repo: string,
  permissions: Record<string, string> = {
    contents: 'write',
    pull_requests: 'write',
    issues: 'write',
    metadata: 'read',
  },
): Promise<string> {
  const appOctokit = (await probot.auth()) as unknown as AppClient;
  const { data } = await appOctokit.rest.apps.createInstallationAccessToken({
    installation_id: installationId,
    repositories: [repo],
    permissions,
  });
  return data.token;
}

/** The app's installation on an account (the fork owner), found with the app's own credentials. */
async function installationOf(probot: Probot, account: string): Promise<number> {
  const appOctokit = (await probot.auth()) as unknown as AppClient;
  const { data } = await appOctokit.rest.apps.getUserInstallation({ username: account });
  return data.id;
}
