/**
 * The SETUP phase: installing dependencies, the one step that may use the network. When the install
 * needs only the package manifests (npm/yarn), its node_modules is built once per repository and
 * manifest hash in a setup sandbox and hard-linked into each checkout, so twelve dayjs instances
 * share a handful of installs. Otherwise the install runs in the checkout itself.
 */
import { createHash } from 'node:crypto';
import { chown, copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { ConjectureError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { SandboxProvider } from '../core/sandbox.ts';
import { sandboxSpecFromConfig } from '../sandbox/index.ts';
import { withDirLock } from '../workspace/lock.ts';
import { hostRun, type RunAs } from './host-run.ts';

const MANIFESTS = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', '.npmrc'];
const MANIFEST_FIELDS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
  'overrides',
  'resolutions',
  'workspaces',
];

export interface SetupContext {
  provider: SandboxProvider;
  config: Config;
  logger: Logger;
  /** Root of the dependency cache: `<depsDir>/<owner__name>/<key>/node_modules`. */
  depsDir: string;
  runAs?: RunAs;
  timeoutMs: number;
  /** A CA bundle the installer should trust (a TLS-intercepting proxy's), copied next to the install. */
  caFile?: string;
  /** Labels for the setup containers (cleanup, accounting). */
  labels?: Record<string, string>;
  /** Installs in flight by cache key, so two workers never build the same node_modules at once. */
  inflight: Map<string, Promise<string>>;
  /** Stops an install (Ctrl-C); the half-built cache entry is never marked complete, so it is rebuilt. */
  signal?: AbortSignal;
}

export class SetupError extends ConjectureError {}

/** The dependency cache under `<cacheDir>/deps`, shared by `eval score` and `eval run`. */
export function createSetupContext(input: {
  provider: SandboxProvider;
  config: Config;
  logger: Logger;
  cacheDir: string;
  runAs?: RunAs;
  caFile?: string;
  timeoutMs?: number;
  labels?: Record<string, string>;
}): SetupContext {
  return {
    provider: input.provider,
    config: input.config,
    logger: input.logger,
    depsDir: join(input.cacheDir, 'deps'),
    runAs: input.runAs,
    timeoutMs: input.timeoutMs ?? 20 * 60_000,
    caFile: input.caFile,
    labels: input.labels,
    inflight: new Map(),
  };
}

/** Hash of what decides the installed tree: the install command, the image, and the manifests' dependency fields. */
export async function manifestKey(checkout: string, install: string, image: string): Promise<string> {
  const hash = createHash('sha256').update(`${install}\n${image}\n`);
  for (const name of MANIFESTS) {
    const text = await readFile(join(checkout, name), 'utf8').catch(() => null);
    if (text === null) continue;
    let material = text;
    if (name === 'package.json') {
      try {
        const pkg = JSON.parse(text) as Record<string, unknown>;
        // The version and scripts change every release without changing what gets installed.
        material = JSON.stringify(MANIFEST_FIELDS.map((f) => pkg[f] ?? null));
      } catch {
        // unparsable: hash the text as it is
      }
    }
    hash.update(`${name}\n${material}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Makes `<checkout>/node_modules` from the cache, building the cache entry first when needed. */
export async function linkCachedDeps(
  ctx: SetupContext,
  repo: string,
  checkout: string,
  install: string,
): Promise<{ key: string; cached: boolean }> {
  const image = ctx.config.sandbox.image;
  const key = await manifestKey(checkout, install, image);
  const repoDir = join(ctx.depsDir, repo.replace('/', '__'));
  const entry = join(repoDir, key);
  let cached = true;
  if (!(await exists(join(entry, '.conjecture-ok')))) {
    const id = `${repo}@${key}`;
    let job = ctx.inflight.get(id);
    if (!job) {
      // Another process sharing the cache may be building the same entry: the lock covers that.
      await mkdir(repoDir, { recursive: true });
      job = withDirLock(
        `${entry}.lock`,
        async () => {
          if (await exists(join(entry, '.conjecture-ok'))) return entry;
          cached = false;
          return buildEntry(ctx, repoDir, entry, checkout, install);
        },
        { staleMs: ctx.timeoutMs + 60_000, waitMs: ctx.timeoutMs * 2 },
      ).finally(() => ctx.inflight.delete(id));
      ctx.inflight.set(id, job);
    }
    await job;
  }
  if (await exists(join(entry, 'node_modules'))) {
    const link = await hostRun('cp', ['-al', join(entry, 'node_modules'), join(checkout, 'node_modules')], {
      cwd: checkout,
    });
    if (link.exitCode !== 0) {
      // Another filesystem: hard links are impossible, so copy.
      await rm(join(checkout, 'node_modules'), { recursive: true, force: true });
      const copy = await hostRun('cp', ['-a', join(entry, 'node_modules'), join(checkout, 'node_modules')], {
        cwd: checkout,
        timeoutMs: 600_000,
      });
      if (copy.exitCode !== 0)
        throw new SetupError(`copying node_modules failed: ${copy.output.slice(-500)}`, {
          code: 'setup_failed',
        });
    }
  }
  return { key, cached };
}

async function buildEntry(
  ctx: SetupContext,
  repoDir: string,
  entry: string,
  checkout: string,
  install: string,
): Promise<string> {
  await rm(entry, { recursive: true, force: true });
  await mkdir(join(repoDir, 'npm-cache'), { recursive: true });
  await mkdir(entry, { recursive: true });
  for (const name of MANIFESTS) await copyFile(join(checkout, name), join(entry, name)).catch(() => {});
  if (ctx.caFile) await copyFile(ctx.caFile, join(repoDir, 'ca.pem'));
  if (ctx.runAs) {
    // Only what the host created; the cache's contents were written by the sandbox user already.
    for (const path of [repoDir, join(repoDir, 'npm-cache'), entry, ...MANIFESTS.map((m) => join(entry, m))])
      await chown(path, ctx.runAs.uid, ctx.runAs.gid).catch(() => {});
  }
  const key = entry.slice(repoDir.length + 1);
  const log = await runSetup(ctx, repoDir, install, (workdir) => {
    const env: Record<string, string> = {
      // Shared by every install of this repository: later installs mostly hit the cache.
      npm_config_cache: `${workdir}/npm-cache`,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    if (ctx.caFile) Object.assign(env, caEnv(`${workdir}/ca.pem`));
    return { env, cwd: `${workdir}/${key}` };
  });
  await writeFile(join(entry, 'setup.log'), log.output);
  if (log.exitCode !== 0) {
    throw new SetupError(
      `dependency install failed (exit ${log.exitCode}${log.timedOut ? ', timed out' : ''}): ${install}`,
      {
        code: 'setup_failed',
        retryable: true,
        hint: `see ${join(entry, 'setup.log')}`,
      },
    );
  }
  await writeFile(join(entry, '.conjecture-ok'), `${new Date().toISOString()}\n`);
  return entry;
}

/** Runs the install inside the checkout itself (installs that need the whole repository). */
export async function installInCheckout(
  ctx: SetupContext,
  checkout: string,
  install: string,
): Promise<string> {
  if (ctx.caFile) {
    await copyFile(ctx.caFile, join(checkout, '.conjecture-ca.pem'));
    if (ctx.runAs) await chown(join(checkout, '.conjecture-ca.pem'), ctx.runAs.uid, ctx.runAs.gid);
  }
  const result = await runSetup(ctx, checkout, install, (workdir) => ({
    env: ctx.caFile ? caEnv(`${workdir}/.conjecture-ca.pem`) : {},
  }));
  if (result.exitCode !== 0) {
    throw new SetupError(`dependency install failed (exit ${result.exitCode}): ${install}`, {
      code: 'setup_failed',
      retryable: true,
      hint: result.output.slice(-500),
    });
  }
  return result.output;
}

async function runSetup(
  ctx: SetupContext,
  hostDir: string,
  command: string,
  options: (workdir: string) => { env: Record<string, string>; cwd?: string },
) {
  const workdir = ctx.provider.kind === 'local' ? hostDir : ctx.config.sandbox.workdir;
  const { env, cwd } = options(workdir);
  const spec = sandboxSpecFromConfig(ctx.config.sandbox, hostDir, {
    purpose: 'setup',
    labels: ctx.labels,
    env,
  });
  const sandbox = await ctx.provider.create(spec);
  try {
    ctx.logger.info({ command, hostDir }, 'installing dependencies');
    return await sandbox.exec(command, {
      cwd,
      env,
      timeoutMs: ctx.timeoutMs,
      maxOutputBytes: 2_000_000,
      signal: ctx.signal,
    });
  } finally {
    await sandbox.dispose();
  }
}

function caEnv(path: string): Record<string, string> {
  return { npm_config_cafile: path, NODE_EXTRA_CA_CERTS: path, PIP_CERT: path, SSL_CERT_FILE: path };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
