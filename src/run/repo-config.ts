/**
 * The repository's `.github/conjecture.yml`, read from git's objects at a trusted ref (the
 * checkout's commit, or a follow-up's base branch — never the `conjecture/*` branch the agent
 * wrote, THREATS.md #26) and applied to the operator's configuration by the one rule in
 * `src/config/repo-policy.ts` (#27). Symbolic links and special files are refused unread (#32).
 */
import {
  applyRepoConfig,
  MAX_REPO_CONFIG_BYTES,
  parseRepoConfig,
  REPO_CONFIG_NAMES,
  type RepoConfigOutcome,
  refuseRepoConfig,
} from '../config/index.ts';
import type { Config } from '../config/schema.ts';
import { readTreeFile } from '../workspace/index.ts';

export async function loadRepoConfig(input: {
  config: Config;
  gitDir: string;
  ref: string;
  pinned?: readonly string[];
}): Promise<RepoConfigOutcome> {
  for (const source of REPO_CONFIG_NAMES) {
    const file = await readTreeFile(input.gitDir, input.ref, source, MAX_REPO_CONFIG_BYTES);
    if (file.kind === 'missing') continue;
    if (file.kind === 'not_regular')
      throw refuseRepoConfig(source, 'is not a regular file (a symbolic link or submodule)');
    if (file.kind === 'too_large')
      throw refuseRepoConfig(source, `is larger than ${MAX_REPO_CONFIG_BYTES / 1024} KiB`);
    const repo = parseRepoConfig(file.text, source);
    return applyRepoConfig(input.config, repo, { pinned: input.pinned, source });
  }
  return { config: input.config, notes: [] };
}
