/**
 * One file of a commit, read from git's objects rather than a working tree, so nothing on disk
 * (a symbolic link, a FIFO, a file the agent swapped) decides what is read. Used for the
 * repository's config at a trusted ref, e.g. the base branch of a follow-up (THREATS.md #26, #32).
 */
import { git } from './git.ts';

export type TreeFile =
  | { kind: 'missing' }
  | { kind: 'not_regular'; mode: string }
  | { kind: 'too_large'; bytes: number }
  | { kind: 'file'; text: string };

const REGULAR_MODES = new Set(['100644', '100755']);

export async function readTreeFile(
  gitDir: string,
  ref: string,
  path: string,
  maxBytes: number,
): Promise<TreeFile> {
  const listed = await git([
    '--git-dir',
    gitDir,
    'ls-tree',
    '-z',
    '--full-tree',
    `${ref}^{commit}`,
    '--',
    path,
  ]);
  const entry = listed.stdout.split('\0').find((line) => line.endsWith(`\t${path}`));
  if (!entry) return { kind: 'missing' };
  const [mode, type, sha] = entry.slice(0, entry.indexOf('\t')).split(' ') as [string, string, string];
  if (type !== 'blob' || !REGULAR_MODES.has(mode)) return { kind: 'not_regular', mode };
  const bytes = Number((await git(['--git-dir', gitDir, 'cat-file', '-s', sha])).stdout.trim());
  if (bytes > maxBytes) return { kind: 'too_large', bytes };
  const blob = await git(['--git-dir', gitDir, 'cat-file', 'blob', sha]);
  return { kind: 'file', text: blob.stdout };
}
