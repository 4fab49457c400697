/**
 * Doctor checks for the sandbox: Docker reachable, the image present, the policy satisfied, and
 * whether `/workspace` can get its size limit here.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../config/schema.ts';
import { checkSandboxPolicy, limitWorkspace, sandboxSpecFromConfig } from '../../sandbox/index.ts';
import type { DoctorCheck } from './check.ts';
import { dockerGet } from './docker-probe.ts';

export function dockerCheck(settings: Config['sandbox']): DoctorCheck {
  const socket = settings.dockerSocket;
  return {
    id: 'docker',
    title: `Docker at ${socket}`,
    required: true,
    async run(signal) {
      const reply = await dockerGet(socket, '/_ping', signal);
      if (reply.status !== 200)
        return {
          status: 'fail',
          message: `Docker at ${socket} answered /_ping with ${reply.status}`,
          fix: 'check the Docker daemon (systemctl status docker, or its log)',
        };
      return { status: 'pass', message: `Docker daemon reachable at ${socket}` };
    },
  };
}

export function imageCheck(settings: Config['sandbox']): DoctorCheck {
  const image = settings.image;
  return {
    id: 'image',
    title: `sandbox image ${image}`,
    required: true,
    after: 'docker',
    async run(signal) {
      const reply = await dockerGet(
        settings.dockerSocket,
        `/images/${encodeURIComponent(image)}/json`,
        signal,
      );
      if (reply.status === 404)
        return {
          status: 'fail',
          message: `sandbox image ${image} is not in Docker`,
          fix: `build it: bash scripts/build-sandbox-image.sh --tag ${image} (from the Conjecture package or checkout), or set sandbox.image (CONJECTURE_SANDBOX_IMAGE) to an image you have`,
        };
      if (reply.status !== 200)
        return {
          status: 'fail',
          message: `Docker answered ${reply.status} for image ${image}: ${reply.body.trim()}`,
        };
      const size = (JSON.parse(reply.body) as { Size?: number }).Size;
      const mb = size ? ` (${Math.round(size / 1e6)} MB)` : '';
      return { status: 'pass', message: `sandbox image ${image} present${mb}` };
    },
  };
}

/**
 * The same startup policy the sandbox provider enforces before creating a container, checked here
 * so a config that would be refused (network without a reason, root) shows up before a job does.
 */
export function policyCheck(settings: Config['sandbox'], stateDir: string): DoctorCheck {
  return {
    id: 'sandbox-policy',
    title: 'sandbox policy',
    required: true,
    async run() {
      const spec = sandboxSpecFromConfig(settings, `${stateDir}/workspaces/doctor`, { purpose: 'agent' });
      const violations = checkSandboxPolicy(spec, settings);
      if (violations.length > 0)
        return {
          status: 'fail',
          message: `sandbox policy: ${violations.map((v) => v.message).join('; ')}`,
          fix: 'change the sandbox settings named above (docs/configuration.md)',
        };
      const network = spec.network ? `network (${settings.networkReason})` : 'no network';
      return { status: 'pass', message: `sandbox policy: ${network}, user ${spec.user}, no capabilities` };
    },
  };
}

/** Makes (and removes) a small size-limited workspace the way a job would (THREATS.md #30). */
export function workspaceLimitCheck(settings: Config['sandbox'], stateDir: string): DoctorCheck {
  return {
    id: 'workspace-limit',
    title: 'workspace size limit',
    required: false,
    async run() {
      await mkdir(join(stateDir, 'workspaces'), { recursive: true });
      const dir = await mkdtemp(join(stateDir, 'workspaces', 'doctor-limit-'));
      try {
        const limit = await limitWorkspace(dir, 8 * 1024 * 1024, { uid: 1000, gid: 1000 });
        await limit.release();
        if (limit.unavailable)
          return {
            status: 'warn',
            message: `no size limit on /workspace: ${limit.unavailable}`,
            fix: 'run the worker as root with loop devices (mkfs.ext4, mount), or bound the state volume instead (Kubernetes: its sizeLimit)',
          };
        return {
          status: 'pass',
          message: `/workspace is limited to ${settings.workspaceMb} MB (a loop-mounted filesystem per job)`,
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
