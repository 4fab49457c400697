/** The sandbox seam: run one shell command in an isolated environment. */
export interface ExecOptions {
  /** Working directory inside the sandbox; defaults to the sandbox's workdir (the repo root). */
  cwd?: string;
  env?: Record<string, string>;
  /** Wall-clock limit; on expiry the command's whole process tree is killed. */
  timeoutMs?: number;
  /** Output cap in bytes; head and tail are kept, the middle is elided and counted. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** stdout and stderr interleaved, possibly with a marker where bytes were elided. */
  output: string;
  exitCode: number;
  timedOut: boolean;
  truncated: boolean;
  /** Bytes removed from the middle of the output when truncated. */
  elidedBytes: number;
  durationMs: number;
}

export interface Sandbox {
  readonly id: string;
  /** Absolute path of the repository root inside the sandbox. */
  readonly workdir: string;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Stops and removes everything the sandbox holds. Idempotent. */
  dispose(): Promise<void>;
}

export interface SandboxLimits {
  memoryBytes: number;
  cpus: number;
  pids: number;
  tmpfsBytes: number;
}

export interface SandboxSpec {
  image: string;
  /** Host directory mounted read-write at `workdir`; the only writable mount. */
  hostWorkspace: string;
  workdir: string;
  /**
   * True gives the container the host's network: only an operator's `sandbox.network` with a
   * reason. The setup phase never gets it; it gets `egress` instead.
   */
  network: boolean;
  /**
   * The setup phase's network: `--network none` plus a relay to a host proxy that reaches only
   * these `host[:port]` entries (THREATS.md #25).
   */
  egress?: { allow: string[] };
  /** Host directories mounted read-only at the given container paths (installed dependencies). */
  readOnlyMounts?: { host: string; container: string }[];
  /**
   * 'setup' installs dependencies (through `egress` when config allows); 'agent' runs the model's
   * commands and the tests (never has network unless config says so, with a reason).
   */
  purpose: 'agent' | 'setup';
  user: string;
  limits: SandboxLimits;
  env?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface SandboxProvider {
  readonly kind: 'docker' | 'local';
  create(spec: SandboxSpec): Promise<Sandbox>;
}
