/**
 * The Docker runtime: one hardened container per sandbox, driven through the Engine API, with the
 * long-lived executor (executor.ts) as its main process.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { SandboxError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { ExecOptions, ExecResult, Sandbox, SandboxProvider, SandboxSpec } from '../core/sandbox.ts';
import { createDemuxer, createDockerApi, type DockerApi } from './docker-api.ts';
import { EGRESS_ENV, type Egress, openEgress, withForwarder } from './egress/forwarder.ts';
import {
  createReplyParser,
  EXECUTOR_DIR,
  EXECUTOR_SCRIPT,
  type ExecutorEvent,
  encodeRequest,
} from './executor.ts';
import { OWNER_HOST_LABEL, OWNER_PID_LABEL, SANDBOX_LABEL } from './orphans.ts';
import { assembleOutput, splitCap } from './output-cap.ts';

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 1_000_000;
/** How long past a command's own timeout the host waits for the executor before giving up on it. */
const HOST_GRACE_MS = 15_000;
/** Bytes a sandbox may write into the executor's channel outside its replies before it is stopped. */
export const MAX_STRAY_BYTES = 1024 * 1024;

export const BASE_ENV: Record<string, string> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/tmp/home',
  LANG: 'C.UTF-8',
  TERM: 'dumb',
  CI: '1',
  PAGER: 'cat',
  MANPAGER: 'cat',
  GIT_PAGER: 'cat',
  LESS: '-R',
  PIP_PROGRESS_BAR: 'off',
  PIP_NO_INPUT: '1',
  NPM_CONFIG_UPDATE_NOTIFIER: 'false',
  NPM_CONFIG_FUND: 'false',
  NO_COLOR: '1',
  DEBIAN_FRONTEND: 'noninteractive',
};

/** Binds: the workspace read-write; installed dependencies and the egress relay read-only. */
function binds(spec: SandboxSpec, egressBind?: string): string[] {
  return [
    `${spec.hostWorkspace}:${spec.workdir}:rw`,
    ...(spec.readOnlyMounts ?? []).map((m) => `${m.host}:${m.container}:ro`),
    ...(egressBind ? [egressBind] : []),
  ];
}

export function containerConfig(spec: SandboxSpec, egressBind?: string): Record<string, unknown> {
  return {
    Image: spec.image,
    Cmd: ['bash', '-c', EXECUTOR_SCRIPT],
    Entrypoint: [],
    User: spec.user,
    WorkingDir: spec.workdir,
    Env: Object.entries({ ...BASE_ENV, ...(spec.egress ? EGRESS_ENV : {}), ...spec.env }).map(
      ([k, v]) => `${k}=${v}`,
    ),
    Labels: {
      ...spec.labels,
      [SANDBOX_LABEL]: '1',
      [OWNER_PID_LABEL]: String(process.pid),
      [OWNER_HOST_LABEL]: hostname(),
    },
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true,
    Tty: false,
    NetworkDisabled: !spec.network,
    HostConfig: {
      AutoRemove: true,
      NetworkMode: spec.network ? 'host' : 'none',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      ReadonlyRootfs: true,
      PidsLimit: spec.limits.pids,
      Memory: spec.limits.memoryBytes,
      MemorySwap: spec.limits.memoryBytes,
      NanoCpus: Math.round(spec.limits.cpus * 1e9),
      Tmpfs: tmpfsMounts(spec),
      Binds: binds(spec, egressBind),
      IpcMode: 'private',
      // The executor's channel is the attach stream; a log file would copy whatever a command
      // writes to /proc/1/fd/1 onto the Docker host's disk (THREATS.md #29).
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}

/**
 * tmpfs pages count against the container's memory limit, so a tmpfs larger than the memory would
 * let `dd` into /tmp get the executor OOM-killed instead of failing with "no space left". Both
 * mounts are kept well under the limit. The executor captures output on its own mount, so a full
 * /tmp doesn't silence every later command.
 */
export function tmpfsMounts(spec: SandboxSpec): Record<string, string> {
  const mb = 1024 * 1024;
  const memoryMb = Math.floor(spec.limits.memoryBytes / mb);
  const tmpMb = Math.max(1, Math.min(Math.floor(spec.limits.tmpfsBytes / mb), Math.floor(memoryMb / 2)));
  const execMb = Math.max(1, Math.min(256, Math.floor(memoryMb / 4)));
  return {
    '/tmp': `rw,exec,nosuid,nodev,size=${tmpMb}m`,
    [EXECUTOR_DIR]: `rw,noexec,nosuid,nodev,size=${execMb}m,mode=1777`,
  };
}

export function createDockerSandboxProvider(options: {
  socketPath: string;
  logger: Logger;
  api?: DockerApi;
}): SandboxProvider {
  const api = options.api ?? createDockerApi(options.socketPath);
  return {
    kind: 'docker',
    async create(spec) {
      const image = await api.call('GET', `/images/${encodeURIComponent(spec.image)}/json`, undefined, {
        okStatuses: [404],
      });
      if (image.status === 404) {
        throw new SandboxError(`sandbox image ${spec.image} not found`, {
          code: 'image_missing',
          hint: `build it with scripts/build-sandbox-image.sh, or \`docker pull ${spec.image}\`, or set sandbox.image`,
        });
      }
      const egress = spec.egress
        ? await openEgress(spec.hostWorkspace, spec.egress.allow, options.logger)
        : undefined;
      let id = '';
      let stream: Duplex;
      try {
        const created = await api.call<{ Id: string }>(
          'POST',
          '/containers/create',
          containerConfig(spec, egress?.bind),
        );
        id = created.body.Id;
        stream = await api.attach(id);
        await api.call('POST', `/containers/${id}/start`);
      } catch (err) {
        if (id)
          await api
            .call('DELETE', `/containers/${id}?force=1`, undefined, { okStatuses: [404, 409] })
            .catch(() => {});
        await egress?.close();
        throw err;
      }
      const log = options.logger.child({ container: id.slice(0, 12) });
      log.debug({ image: spec.image, network: spec.network, egress: spec.egress }, 'sandbox started');
      return createDockerSandbox({ api, id, stream, spec, log, egress });
    },
  };
}

interface Pending {
  resolve: (e: Extract<ExecutorEvent, { type: 'ended' }>) => void;
  reject: (err: Error) => void;
  /** head + tail bytes asked for: a reply claiming more is not the executor's. */
  payloadLimit: number;
  pgid?: number;
}

function createDockerSandbox(args: {
  api: DockerApi;
  id: string;
  stream: Duplex;
  spec: SandboxSpec;
  log: Logger;
  egress?: Egress;
}): Sandbox {
  const { api, id, stream, spec, log, egress } = args;
  const nonce = randomBytes(12).toString('hex');
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();
  let closed: Error | null = null;
  let stderrTail = '';

  const onEvent = (e: ExecutorEvent) => {
    const p = pending.get(e.id);
    if (!p) return;
    if (e.type === 'started') p.pgid = e.pgid;
    else {
      pending.delete(e.id);
      p.resolve(e);
    }
  };
  let strayStderr = 0;
  const flood = (bytes: number) => {
    fail(
      `it wrote ${bytes} bytes into the executor's channel outside its replies (a command writing to /proc/1/fd/*); the sandbox was stopped`,
      'sandbox_flood',
    );
    void remove();
  };
  const parse = createReplyParser(nonce, onEvent, {
    payloadLimit: (reqId) => pending.get(reqId)?.payloadLimit ?? null,
    maxStrayBytes: MAX_STRAY_BYTES,
    onFlood: flood,
  });
  const demux = createDemuxer(parse, (chunk) => {
    // The executor itself never writes to stderr: this is a command writing to /proc/1/fd/2.
    strayStderr += chunk.length;
    if (strayStderr > MAX_STRAY_BYTES) flood(strayStderr);
    else stderrTail = (stderrTail + chunk.subarray(-2000).toString('utf8')).slice(-2000);
  });
  stream.on('data', demux);
  const fail = (why: string, code = 'sandbox_gone') => {
    closed ??= new SandboxError(
      `sandbox ${id.slice(0, 12)} ended: ${why}${stderrTail ? `; executor said: ${stderrTail.trim()}` : ''}`,
      { code, retryable: code === 'sandbox_gone' },
    );
    for (const p of pending.values()) p.reject(closed);
    pending.clear();
  };
  let removed: Promise<void> | undefined;
  const remove = () => {
    removed ??= api.call('DELETE', `/containers/${id}?force=1`, undefined, { okStatuses: [404, 409] }).then(
      () => {},
      (err) => log.warn({ err }, 'container removal failed'),
    );
    return removed;
  };
  stream.on('close', () => fail('stream closed'));
  stream.on('error', (err) => fail(err.message));
  stream.write(`${nonce}\n`);

  async function run(command: string, options: ExecOptions): Promise<ExecResult> {
    if (closed) throw closed;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const { headBytes, tailBytes } = splitCap(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
    const reqId = nextId++;
    const started = performance.now();
    const done = new Promise<Extract<ExecutorEvent, { type: 'ended' }>>((resolve, reject) =>
      pending.set(reqId, { resolve, reject, payloadLimit: headBytes + tailBytes }),
    );
    const killGroup = async () => {
      const pgid = pending.get(reqId)?.pgid;
      if (pgid)
        await killInside(api, id, pgid).catch((err) => log.warn({ err }, 'kill inside sandbox failed'));
    };
    const onAbort = () => void killGroup();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const backstop = setTimeout(() => {
      void killGroup();
      fail(`no answer ${HOST_GRACE_MS} ms after the command's timeout`);
    }, timeoutMs + HOST_GRACE_MS);
    stream.write(
      encodeRequest({
        id: reqId,
        timeoutMs,
        headBytes,
        tailBytes,
        cwd: options.cwd ?? spec.workdir,
        env: options.env ?? {},
        command: egress ? withForwarder(command) : command,
      }),
    );
    try {
      const end = await done;
      const capped = assembleOutput(end.payload, end.totalBytes, headBytes, tailBytes);
      return {
        ...capped,
        exitCode: end.exitCode,
        timedOut: end.timedOut,
        durationMs: performance.now() - started,
      };
    } finally {
      clearTimeout(backstop);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    id,
    workdir: spec.workdir,
    exec(command, options = {}) {
      // One command at a time: the executor is a single loop.
      const result = queue.then(() => run(command, options));
      queue = result.catch(() => {});
      return result;
    },
    async dispose() {
      fail('disposed');
      stream.end();
      stream.destroy();
      await remove();
      await egress?.close().catch((err) => log.warn({ err }, 'closing the egress proxy failed'));
    },
  };
}

/** Kills a process group inside the container through a one-off Engine API exec (cancel path only). */
async function killInside(api: DockerApi, containerId: string, pgid: number): Promise<void> {
  const exec = await api.call<{ Id: string }>('POST', `/containers/${containerId}/exec`, {
    Cmd: ['kill', '-KILL', '--', `-${pgid}`],
    AttachStdout: false,
    AttachStderr: false,
  });
  await api.call('POST', `/exec/${exec.body.Id}/start`, { Detach: true, Tty: false });
}
