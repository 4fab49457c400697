import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from './schema.ts';

/** Where the host keeps its state (jobs, mirrors, traces): `stateDir`, else `~/.conjecture`. */
export function resolveStateDir(
  config: Pick<Config, 'stateDir'>,
  env: NodeJS.ProcessEnv,
  cwd: string,
): string {
  if (config.stateDir) return resolve(cwd, config.stateDir);
  return join(env.HOME || homedir(), '.conjecture');
}
