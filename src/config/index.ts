export * from './schema.ts';
export { loadConfig, parseRepoConfig, deepMerge, expandDotted, type LoadedConfig, type LoadConfigOptions } from './load.ts';
export { envName, settingLeaves } from './env.ts';
export { maskSecrets, secretValues } from './secrets.ts';
export { SETTING_DESCRIPTIONS } from './descriptions.ts';
export { parseSetFlags, type SetFlags } from './set-flags.ts';
export { resolveStateDir } from './state-dir.ts';
