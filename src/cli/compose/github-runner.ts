/**
 * The GitHub side of a run, for `serve` and `worker`: the Probot instance (app auth), octokits per
 * installation, repository-scoped tokens and the host secrets a published text must never hold.
 */
import { Probot } from 'probot';
import type { GitHubJobDeps } from '../../app/index.ts';
import { githubAppCredentials } from '../../config/github-app.ts';
import type { GitHubClient } from '../../github/index.ts';

/** What a GitHub run needs besides the app's credentials, which this module adds. */
export type RunnerDeps = Omit<GitHubJobDeps, 'octokitFor' | 'mintToken' | 'secrets'>;

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
  };
  return { probot, jobDeps, webhookSecret };
}

/** A token for one repository only (THREATS.md #12), with only the permissions a run needs. */
async function mintRepositoryToken(
  probot: Probot,
  installationId: number,
  _owner: string,
  repo: string,
): Promise<string> {
  const appOctokit = (await probot.auth()) as unknown as {
    rest: {
      apps: {
        createInstallationAccessToken(p: Record<string, unknown>): Promise<{ data: { token: string } }>;
      };
    };
  };
  const { data } = await appOctokit.rest.apps.createInstallationAccessToken({
    installation_id: installationId,
    repositories: [repo],
    permissions: { contents: 'write', pull_requests: 'write', issues: 'write', metadata: 'read' },
  });
  return data.token;
}
