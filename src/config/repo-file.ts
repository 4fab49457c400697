/**
 * Reading `.github/conjecture.yml` out of a checkout as a regular file inside it, and nothing else
 * (THREATS.md #32): `.github` must be a real folder and the file a regular file, opened without
 * following a symbolic link and without blocking on a FIFO. A refusal names the file and why,
 * never what the file (or whatever it pointed at) holds.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.ts';

export const REPO_CONFIG_NAMES = ['.github/conjecture.yml', '.github/conjecture.yaml'] as const;
/** Far above any real settings file; a bigger one is refused unread. */
export const MAX_REPO_CONFIG_BYTES = 64 * 1024;

export interface RepoConfigText {
  text: string;
  source: string;
}

export function refuseRepoConfig(source: string, why: string): ConfigError {
  return new ConfigError(
    [
      {
        source,
        path: '',
        message: `${why}; Conjecture reads it only as a regular file inside the repository`,
      },
    ],
    'replace it with a plain YAML file committed at that path',
  );
}

/** The repository's config file in `dir`, or null when there is none. */
export function readRepoConfigFile(dir: string): RepoConfigText | null {
  const folder = lstatOrNull(join(dir, '.github'));
  if (!folder) return null;
  if (!folder.isDirectory()) throw refuseRepoConfig('.github', 'is not a folder (a symbolic link or a file)');
  for (const source of REPO_CONFIG_NAMES) {
    const path = join(dir, source);
    const info = lstatOrNull(path);
    if (!info) continue;
    if (!info.isFile())
      throw refuseRepoConfig(source, 'is not a regular file (a symbolic link, folder or device)');
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      throw refuseRepoConfig(source, 'cannot be opened as a regular file');
    }
    try {
      const opened = fstatSync(fd);
      // Checked again on the open descriptor: the path may have been swapped since the lstat.
      if (!opened.isFile()) throw refuseRepoConfig(source, 'is not a regular file');
      if (opened.size > MAX_REPO_CONFIG_BYTES)
        throw refuseRepoConfig(source, `is larger than ${MAX_REPO_CONFIG_BYTES / 1024} KiB`);
      const buffer = Buffer.alloc(opened.size);
      const read = readSync(fd, buffer, 0, buffer.length, 0);
      return { text: buffer.subarray(0, read).toString('utf8'), source };
    } finally {
      closeSync(fd);
    }
  }
  return null;
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
