import type { Config } from '../config/schema.ts';
import { SandboxError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { SandboxProvider, SandboxSpec } from '../core/sandbox.ts';
import { createDockerApi } from './docker-api.ts';
import { createDockerSandboxProvider } from './docker-sandbox.ts';
import { createLocalSandboxProvider } from './local-sandbox.ts';
import { checkSandboxPolicy } from './policy.ts';

export { createDockerApi, DOCKER_HINT, type DockerApi } from './docker-api.ts';
export { BASE_ENV, containerConfig, createDockerSandboxProvider } from './docker-sandbox.ts';
export { createLocalSandboxProvider } from './local-sandbox.ts';
export { SANDBOX_LABEL, sweepOrphans } from './orphans.ts';
export { capBuffer } from './output-cap.ts';
export { checkSandboxPolicy, type PolicyViolation } from './policy.ts';
export { limitWorkspace, sweepWorkspaceMounts, type WorkspaceLimit } from './workspace-limit.ts';

export function sandboxSpecFromConfig(
  settings: Config['sandbox'],
  hostWorkspace: string,
  options: {
    purpose?: 'agent' | 'setup';
    labels?: Record<string, string>;
    env?: Record<string, string>;
    readOnlyMounts?: SandboxSpec['readOnlyMounts'];
  } = {},
): SandboxSpec {
  const mb = 1024 * 1024;
  const purpose = options.purpose ?? 'agent';
  return {
    image: settings.image,
    hostWorkspace,
    workdir: settings.workdir,
    purpose,
    network: purpose === 'agent' && settings.network,
    egress: purpose === 'setup' && settings.setupNetwork ? { allow: settings.setupAllow } : undefined,
    user: settings.user,
    limits: {
      memoryBytes: settings.memoryMb * mb,
      cpus: settings.cpus,
      pids: settings.pids,
      tmpfsBytes: settings.tmpfsMb * mb,
    },
    env: options.env,
    labels: options.labels,
    readOnlyMounts: options.readOnlyMounts,
  };
}

/**
 * The provider the configuration asks for. The agent's sandboxes are checked against the policy
 * before they exist; the setup phase (dependency install) is the one place that may reach out, and
 * only through the egress proxy to sandbox.setupAllow (`sandboxSpecFromConfig(..., { purpose: 'setup' })`).
 */
export function createSandboxProvider(config: Config, logger: Logger): SandboxProvider {
  if (config.sandbox.runtime === 'local')
    return createLocalSandboxProvider({ allowLocal: config.sandbox.allowLocal });
  const docker = createDockerSandboxProvider({ socketPath: config.sandbox.dockerSocket, logger });
  return {
    kind: 'docker',
    async create(spec) {
      const violations = checkSandboxPolicy(spec, config.sandbox);
      if (violations.length > 0) {
        throw new SandboxError(`sandbox policy refused: ${violations.map((v) => v.message).join('; ')}`, {
          code: 'sandbox_policy',
        });
      }
      return docker.create(spec);
    },
  };
}

export function dockerApiFromConfig(config: Config) {
  return createDockerApi(config.sandbox.dockerSocket);
}
