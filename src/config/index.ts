export { SETTING_DESCRIPTIONS } from './descriptions.ts';
export { envName, settingLeaves } from './env.ts';
export { type GitHubAppCredentials, githubAppCredentials } from './github-app.ts';
export {
  deepMerge,
  expandDotted,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
  parseRepoConfig,
} from './load.ts';
export {
  MAX_REPO_CONFIG_BYTES,
  REPO_CONFIG_NAMES,
  type RepoConfigText,
  readRepoConfigFile,
  refuseRepoConfig,
} from './repo-file.ts';
export {
  applyRepoConfig,
  OPERATOR_ONLY,
  REPO_ADD_ONLY,
  REPO_CEILINGS,
  REPO_CHOICES,
  REPO_TIGHTEN_ONLY,
  type RepoConfigOutcome,
} from './repo-policy.ts';
export * from './schema.ts';
export { maskSecrets, secretValues } from './secrets.ts';
export { parseSetFlags, type SetFlags } from './set-flags.ts';
export { resolveStateDir } from './state-dir.ts';
