/**
 * Where tests run (THREATS.md #31). Setup output (node_modules, the virtualenv) is mounted read-only
 * into every container after setup, so the agent cannot plant a fake runner in it. Validation of a
 * change runs in a FRESH container over a fresh export of the agent's tree (base + change, without
 * ignored files), with the host's PATH and the checkout's `.git` read-only: nothing the agent left
 * running, hid in ignored files or put on PATH takes part.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Config } from '../config/schema.ts';
import { ValidationError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { SandboxProvider, SandboxSpec } from '../core/sandbox.ts';
import { BASE_ENV, limitWorkspace, sandboxSpecFromConfig, type WorkspaceLimit } from '../sandbox/index.ts';
import {
  dependencyEnv,
  type InstalledDependencies,
  movedDependencies,
  PYTHON_ENV_MOUNT,
  type RunTestsOptions,
  runTests,
} from '../validate/index.ts';
import type { TestPlan, TestRun } from '../validate/types.ts';
import { type Checkout, chownWorkingTree, exportWorkingTree } from '../workspace/index.ts';

export interface TestContext {
  sandboxes: SandboxProvider;
  settings: Config['sandbox'];
  checkout: Checkout;
  installed: InstalledDependencies;
  labels: Record<string, string>;
  owner: { uid: number; gid: number };
  logger: Logger;
}

const MB = 1024 * 1024;

/** `/workspace` on a filesystem of its own size (THREATS.md #30); only logged where impossible. */
export async function limitWorkspaceOf(
  sandboxes: SandboxProvider,
  settings: Config['sandbox'],
  dir: string,
  owner: { uid: number; gid: number },
  logger: Logger,
): Promise<WorkspaceLimit> {
  const limit =
    sandboxes.kind === 'docker'
      ? await limitWorkspace(dir, settings.workspaceMb * MB, owner)
      : { unavailable: 'the local runtime has no isolation', release: async () => {} };
  if (limit.unavailable)
    logger.warn(
      { why: limit.unavailable },
      'no size limit on /workspace: the agent can fill the host disk (run the worker as root with loop devices)',
    );
  return limit;
}

/** The setup's directories, read-only at the same place in the container. */
export function dependencyMounts(
  ctx: Pick<TestContext, 'checkout' | 'installed' | 'settings'>,
  options: { git?: boolean } = {},
): NonNullable<SandboxSpec['readOnlyMounts']> {
  const paths = [...ctx.installed.paths, ...(options.git ? ['.git'] : [])];
  const mounts = paths.map((rel) => ({
    host: posix.join(ctx.checkout.dir, rel),
    container: posix.join(ctx.settings.workdir, rel),
  }));
  // The virtualenv lives outside the checkout, so no directory the agent can rename holds it.
  if (ctx.installed.pythonEnv) mounts.push({ host: ctx.installed.pythonEnv, container: PYTHON_ENV_MOUNT });
  return mounts;
}

/** PATH and VIRTUAL_ENV for test runs, from what setup installed. */
export function testEnv(ctx: Pick<TestContext, 'installed' | 'settings'>): Record<string, string> {
  return dependencyEnv(BASE_ENV.PATH as string, ctx.installed.venv);
}

export async function runTestsFresh(
  ctx: TestContext,
  plan: TestPlan,
  options: RunTestsOptions,
): Promise<TestRun> {
  const env = { ...testEnv(ctx), ...options.env };
  // The local runtime (development only) has no mounts: it tests the checkout in place.
  if (ctx.sandboxes.kind === 'local') {
    const box = await ctx.sandboxes.create(sandboxSpecFromConfig(ctx.settings, ctx.checkout.dir));
    try {
      return await runTests(box, plan, { ...options, env });
    } finally {
      await box.dispose();
    }
  }
  // Beside the checkout: a path the Docker daemon can bind (shared state volume in Kubernetes).
  const dest = await mkdtemp(`${ctx.checkout.dir}-validate-`);
  const limit = await limitWorkspaceOf(ctx.sandboxes, ctx.settings, dest, ctx.owner, ctx.logger);
  try {
    const moved = movedDependencies(ctx.checkout.dir, ctx.installed);
    if (moved.length > 0)
      throw new ValidationError(
        `the installed dependencies were moved or replaced during the run (${moved.join(', ')}); validation refused`,
        { code: 'dependencies_moved' },
      );
    await exportWorkingTree(ctx.checkout, dest);
    await chownWorkingTree(dest, ctx.owner);
    const box = await ctx.sandboxes.create(
      sandboxSpecFromConfig(ctx.settings, dest, {
        labels: ctx.labels,
        readOnlyMounts: dependencyMounts(ctx, { git: true }),
      }),
    );
    try {
      return await runTests(box, plan, { ...options, env });
    } finally {
      await box.dispose();
    }
  } finally {
    await limit.release();
    await rm(dest, { recursive: true, force: true });
  }
}
