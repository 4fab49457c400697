import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { applyPatch, createWorkspaceCache, extractPatch, pushBranch } from '../../src/workspace/index.ts';
import { makeRepo, sh } from '../support/git-repo.ts';
import { type Standin, startGitHubStandin } from '../support/github/standin.ts';
import { describeIf, missingCommand } from '../support/prereq.ts';

describeIf(missingCommand('git'), 'workspace over git smart HTTP with an installation token', () => {
  let standin: Standin;
  const token = `ghs_${'T'.repeat(36)}`;

  beforeAll(async () => {
    standin = await startGitHubStandin({ dir: mkdtempSync(join(tmpdir(), 'standin-')) });
    standin.addRepo({ owner: 'octo', name: 'hello', sourceDir: makeRepo({ 'a.txt': 'one\n' }) });
    standin.addRepo({ owner: 'octo', name: 'other', sourceDir: makeRepo({ 'b.txt': 'b\n' }) });
    standin.tokens.set(token, { installationId: 1, repositories: ['octo/hello'] });
  });
  afterAll(() => standin?.close());

  it('clones and pushes with the token, which is stored nowhere on disk', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
    const cache = createWorkspaceCache({ cacheDir, logger: silentLogger() });
    const remote = standin.gitUrl('octo', 'hello');
    const co = await cache.checkout({ remote, token, jobId: 'http' });
    expect(readFileSync(join(co.dir, 'a.txt'), 'utf8')).toBe('one\n');
    writeFileSync(join(co.dir, 'a.txt'), 'two\n');
    const patch = await extractPatch(co);
    const applied = await applyPatch({ mirror: co.mirror, baseCommit: co.commit, patch, message: 'Fix' });
    await pushBranch({ dir: applied.dir, remote, branch: 'conjecture/issue-1-x', token });
    const bare = standin.repos.get('octo/hello')!.bareDir;
    expect(sh(bare, 'git', ['show', 'conjecture/issue-1-x:a.txt'])).toBe('two\n');
    for (const file of [
      join(co.dir, '.git', 'config'),
      join(co.mirror, 'config'),
      join(applied.dir, '.git', 'config'),
    ]) {
      expect(readFileSync(file, 'utf8')).not.toContain(token);
    }
    expect(patch).not.toContain(token);
    const grep = spawnSync('grep', ['-rl', '--', token, cacheDir], { encoding: 'utf8' });
    expect(grep.status).toBe(1); // 1 = no file contains it
  });

  it('refuses without a token and with a token for another repository', async () => {
    const cache = createWorkspaceCache({
      cacheDir: mkdtempSync(join(tmpdir(), 'cache-')),
      logger: silentLogger(),
    });
    await expect(
      cache.checkout({ remote: standin.gitUrl('octo', 'other'), token, jobId: 'x' }),
    ).rejects.toMatchObject({ code: 'git_failed' });
    await expect(
      cache.checkout({ remote: standin.gitUrl('octo', 'hello'), jobId: 'y' }),
    ).rejects.toMatchObject({ code: 'git_failed' });
  });
});
