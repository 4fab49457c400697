/**
 * `eval run` installs dependencies the way `eval score` does: for a repository whose install needs
 * only its manifests (npm/yarn), the tree is built once per manifest hash in the shared cache
 * (`<cache-dir>/deps`) and hard-linked into each instance's checkout before the agent starts, and
 * the pipeline's own setup phase is skipped. Anything else keeps the per-checkout setup command.
 */
import { appendFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { hostGit } from './host-run.ts';
import { instanceImage } from './instance-image.ts';
import type { SwebenchInstance } from './instances.ts';
import { linkCachedDeps, type SetupContext } from './setup.ts';
import { REPO_SPECS } from './specs.ts';

export interface CachedDeps {
  /** Links the cached dependencies into a checkout (the pipeline's `prepareCheckout`). */
  prepare: (checkoutDir: string) => Promise<void>;
  /** What the setup phase runs instead: nothing left to install. */
  setupCommand: string;
}

/** The cached install for an instance, or null when it must install in its own checkout. */
export function cachedDepsFor(
  setup: SetupContext,
  instance: SwebenchInstance,
  base: Config,
  imageTemplate?: string,
): CachedDeps | null {
  const spec = REPO_SPECS[instance.repo];
  if (!spec?.manifestOnly || !spec.install) return null;
  // The instance's own image or install, or an operator's setup command, decide instead.
  if (instance.install !== undefined || base.validate.setupCommand || instanceImage(instance, imageTemplate))
    return null;
  return {
    setupCommand: 'true',
    prepare: async (checkoutDir) => {
      await linkCachedDeps({ ...setup, config: base }, instance.repo, checkoutDir, spec.install);
      await excludeInCheckout(checkoutDir, '/node_modules/');
    },
  };
}

/**
 * Linked dependencies stay out of what the agent sees as changes (`git status` in the sandbox). The
 * patch itself is taken against the mirror, where the repository's .gitignore decides (the three
 * JavaScript repositories ignore node_modules).
 */
async function excludeInCheckout(checkoutDir: string, pattern: string): Promise<void> {
  const where = await hostGit(['rev-parse', '--git-path', 'info/exclude'], { cwd: checkoutDir });
  if (where.exitCode !== 0) throw new Error(`not a git checkout: ${checkoutDir}: ${where.output.trim()}`);
  const path = where.output.trim();
  await appendFile(isAbsolute(path) ? path : join(checkoutDir, path), `\n${pattern}\n`);
}
