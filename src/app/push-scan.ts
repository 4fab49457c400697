/**
 * The last look before a push (THREATS.md #33): everything the commit would publish — its message,
 * its file names and every added line, binary files read as text — scanned for the host's secrets
 * (and their encodings) and for token shapes. A find stops the push; the caller names the kinds
 * found, never the values.
 */
import { findSecrets } from '../trace/redact.ts';
import { git } from '../workspace/index.ts';

export async function secretsInCommit(dir: string, secrets: readonly string[]): Promise<string[]> {
  const shown = await git([
    '-C',
    dir,
    'show',
    '--text',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--format=%B',
    'HEAD',
  ]);
  // Context and removed lines are already in the repository; the rest is what this push adds,
  // without the diff's `+` so that a value split across added lines reads as one.
  const published = shown.stdout
    .split('\n')
    .filter((line) => !line.startsWith(' ') && !(line.startsWith('-') && !line.startsWith('--- ')))
    .map((line) => (line.startsWith('+') && !line.startsWith('+++ ') ? line.slice(1) : line))
    .join('\n');
  return [...new Set(findSecrets(published, secrets).map((m) => m.kind))];
}
