/**
 * Fork mode's moving parts outside the e2e test (test/security/threat-35-ci-secrets.int.test.ts):
 * the startup warning when the app pushes into the base repository, a fork created under another
 * account, and a fork that never becomes usable.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ensureFork } from '../../src/app/fork.ts';
import { createGitHubRunner } from '../../src/cli/compose/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/core/log.ts';
import type { GitHubClient } from '../../src/github/index.ts';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

function runnerWarnings(env: Record<string, string>): string[] {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (s: string) => void lines.push(s) } });
  const { config } = loadConfig({
    env: { APP_ID: '1', PRIVATE_KEY: privateKey, WEBHOOK_SECRET: 's', ...env },
  });
  createGitHubRunner({ config, logger } as Parameters<typeof createGitHubRunner>[0]);
  return lines
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .filter((l) => l.level === 40)
    .map((l) => l.msg);
}

const forkingClient = (login: string) =>
  ({
    rest: {
      repos: {
        createFork: async () => ({
          data: { owner: { login }, name: 'calc', clone_url: `http://x/${login}/calc.git` },
        }),
      },
    },
  }) as unknown as GitHubClient;

describe('fork push mode', () => {
  it('startup warns when the app pushes into the base repository, and not in fork mode', () => {
    expect(runnerWarnings({}).join('\n')).toContain(
      'github.pushMode is branch: conjecture/* branches are pushed into each repository',
    );
    expect(
      runnerWarnings({ CONJECTURE_GITHUB_PUSH_MODE: 'fork', CONJECTURE_GITHUB_FORK_OWNER: 'bots' }).join(
        '\n',
      ),
    ).not.toContain('github.pushMode is branch');
  });

  it('refuses a fork GitHub created under another account (e.g. a user instead of the org)', async () => {
    await expect(
      ensureFork({
        octokit: forkingClient('someone-else'),
        owner: 'octo',
        repo: 'calc',
        forkOwner: 'bots',
        mintForkToken: async () => 'ghs_x',
      }),
    ).rejects.toThrow('GitHub created the fork of octo/calc under someone-else, not bots');
  });

  it('waits for a fork that is still being created, and gives up with the fix when it never is', async () => {
    let tries = 0;
    const target = await ensureFork({
      octokit: forkingClient('bots'),
      owner: 'octo',
      repo: 'calc',
      forkOwner: 'bots',
      pollMs: 5,
      mintForkToken: async () => {
        if (++tries < 3) throw new Error('repository not accessible yet');
        return 'ghs_fork';
      },
    });
    expect(tries).toBe(3);
    expect(target).toEqual({
      owner: 'bots',
      repo: 'calc',
      cloneUrl: 'http://x/bots/calc.git',
      token: 'ghs_fork',
      fork: true,
    });
    await expect(
      ensureFork({
        octokit: forkingClient('bots'),
        owner: 'octo',
        repo: 'calc',
        forkOwner: 'bots',
        pollMs: 5,
        timeoutMs: 50,
        mintForkToken: async () => {
          throw new Error('repository not accessible');
        },
      }),
    ).rejects.toThrow('the fork bots/calc did not become usable in time');
  });
});
