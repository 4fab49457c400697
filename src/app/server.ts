/**
 * The app's HTTP server: GitHub webhooks (verified by Probot: HMAC-SHA256 of the raw body), and
 * health. Composition of the runtime parts happens in the CLI (`conjecture serve`) or in tests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeMiddleware, Probot } from 'probot';
import { ConjectureError } from '../core/errors.ts';
import type { GitHubClient } from '../github/index.ts';
import { createDispatcher, type Dispatcher } from './dispatcher.ts';
import { type GitHubJobDeps, type GitHubJobSpec, runGitHubJob } from './github-job.ts';
import { createConjectureApp } from './handlers.ts';

export const WEBHOOK_PATH = '/api/github/webhooks';

export interface AppServer {
  url: string;
  server: Server;
  dispatcher: Dispatcher<GitHubJobSpec>;
  close(): Promise<void>;
}

export type AppServerDeps = Omit<GitHubJobDeps, 'octokitFor' | 'mintToken' | 'secrets'> & {
  port?: number;
  host?: string;
};

export async function startAppServer(deps: AppServerDeps): Promise<AppServer> {
  const { config } = deps;
  const { appId, privateKey, webhookSecret } = config.github;
  if (!appId || !privateKey || !webhookSecret) {
    throw new ConjectureError('the GitHub App is not configured', {
      code: 'app_not_configured',
      hint: 'set APP_ID, PRIVATE_KEY and WEBHOOK_SECRET (or github.appId/privateKey/webhookSecret); see docs/github-app.md',
    });
  }
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
  const dispatcher = createDispatcher<GitHubJobSpec>({
    run: (job) => runGitHubJob(jobDeps, job),
    logger: deps.logger,
  });
  const middleware = await createNodeMiddleware(
    createConjectureApp({ config, logger: deps.logger, dispatcher }),
    { probot, webhooksPath: WEBHOOK_PATH },
  );
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (req.method === 'POST' && req.url?.split('?')[0] === WEBHOOK_PATH) {
      void readBody(req).then((raw) => {
        // Checked here as well as in Probot so a forged delivery is a 401 that never reaches a handler.
        if (!signatureMatches(raw, req.headers['x-hub-signature-256'], webhookSecret)) {
          res
            .writeHead(401, { 'content-type': 'application/json' })
            .end('{"error":"signature does not match"}');
          return;
        }
        (req as IncomingMessage & { body?: string }).body = raw.toString('utf8');
        void middleware(req, res, () => res.writeHead(404).end());
      });
      return;
    }
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) =>
    server.listen(deps.port ?? config.server.port, deps.host ?? config.server.host, resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${deps.host ?? config.server.host}:${port}`,
    server,
    dispatcher,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const job of dispatcher.all()) job.controller.abort();
      await dispatcher.idle();
    },
  };
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

/** GitHub's scheme: `sha256=` + hex HMAC-SHA256 of the raw body with the webhook secret. */
export function signatureMatches(
  raw: Buffer,
  header: string | string[] | undefined,
  secret: string,
): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
