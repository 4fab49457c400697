/**
 * Checks that deployment files set only settings Conjecture knows, with values it accepts: the
 * variables go through the real config loader, which rejects unknown `CONJECTURE_*` names.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';

export function loadConfigFromEnv(vars: Record<string, string>): Config {
  const home = mkdtempSync(join(tmpdir(), 'conjecture-env-'));
  try {
    return loadConfig({ env: { ...vars, HOME: home }, cwd: home }).config;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
