/** Small real git repositories for tests. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function sh(cwd: string, cmd: string, args: string[]): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  });
}

/** Creates a repository with the given files committed on `main`; returns its path. */
export function makeRepo(files: Record<string, string | Buffer>, name = 'repo'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'conjecture-git-')), name);
  mkdirSync(dir, { recursive: true });
  sh(dir, 'git', ['init', '--quiet', '--initial-branch=main']);
  commitFiles(dir, files, 'initial commit');
  return dir;
}

export function commitFiles(dir: string, files: Record<string, string | Buffer>, message: string): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  sh(dir, 'git', ['add', '-A']);
  sh(dir, 'git', ['commit', '--quiet', '-m', message]);
  return sh(dir, 'git', ['rev-parse', 'HEAD']).trim();
}
