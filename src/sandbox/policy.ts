/**
 * Startup checks: refuse a sandbox that would have network, run as root, hold capabilities, see the
 * Docker socket or a second writable mount, unless the configuration explicitly allows it and says
 * why (THREATS.md #9, #10, #17, #25). The setup phase never gets the host network: only the egress proxy.
 */
import type { Config } from '../config/schema.ts';
import type { SandboxSpec } from '../core/sandbox.ts';
import { containerConfig } from './docker-sandbox.ts';

export interface PolicyViolation {
  rule: 'network' | 'root' | 'capabilities' | 'docker_socket' | 'privileged' | 'extra_mounts';
  message: string;
}

export function checkSandboxPolicy(spec: SandboxSpec, settings: Config['sandbox']): PolicyViolation[] {
  const config = containerConfig(spec);
  const host = config.HostConfig as {
    NetworkMode: string;
    CapDrop: string[];
    CapAdd?: string[];
    Binds: string[];
    Privileged: boolean;
  };
  const violations: PolicyViolation[] = [];
  if (
    host.NetworkMode !== 'none' &&
    !(spec.purpose === 'agent' && settings.network && settings.networkReason)
  ) {
    violations.push({
      rule: 'network',
      message: `the agent's container would have network (${host.NetworkMode}); set sandbox.network with a networkReason to allow it`,
    });
  }
  const uid = String(config.User ?? '').split(':')[0];
  if ((uid === '' || uid === '0' || uid === 'root') && !(settings.allowRoot && settings.rootReason)) {
    violations.push({
      rule: 'root',
      message: 'the container would run as root; set sandbox.user to an unprivileged uid (default 1000:1000)',
    });
  }
  if (!host.CapDrop.includes('ALL') || (host.CapAdd?.length ?? 0) > 0) {
    violations.push({ rule: 'capabilities', message: 'the container would hold Linux capabilities' });
  }
  if (host.Privileged) violations.push({ rule: 'privileged', message: 'the container would be privileged' });
  if (
    host.Binds.some(
      (b) => b.includes('docker.sock') || b.split(':')[0] === '/var/run' || b.split(':')[0] === '/run',
    )
  ) {
    violations.push({
      rule: 'docker_socket',
      message: 'the Docker socket would be mounted into the container',
    });
  }
  if (spec.egress && spec.purpose !== 'setup')
    violations.push({
      rule: 'network',
      message: 'only the setup phase may reach out through the egress proxy',
    });
  if (host.Binds.slice(1).some((b) => !b.endsWith(':ro')))
    violations.push({ rule: 'extra_mounts', message: 'every mount but the workspace must be read-only' });
  return violations;
}
