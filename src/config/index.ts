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
export * from './schema.ts';
export { maskSecrets, secretValues } from './secrets.ts';
export { parseSetFlags, type SetFlags } from './set-flags.ts';
export { resolveStateDir } from './state-dir.ts';
