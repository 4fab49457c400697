/**
 * Runs commands directly on the host, in the workspace directory. No isolation at all: for
 * developing Conjecture itself on a machine without Docker, and only when explicitly enabled.
 */
import { spawn } from 'node:child_process';
import { SandboxError } from '../core/errors.ts';
import type { ExecResult, Sandbox, SandboxProvider } from '../core/sandbox.ts';
import { BASE_ENV, DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_MS } from './docker-sandbox.ts';
import { capBuffer } from './output-cap.ts';

export function createLocalSandboxProvider(options: { allowLocal: boolean }): SandboxProvider {
  if (!options.allowLocal) {
    throw new SandboxError('the local sandbox runtime runs commands on this machine without any isolation', {
      code: 'local_runtime_disabled',
      hint: 'use sandbox.runtime: docker, or set sandbox.allowLocal: true (CONJECTURE_SANDBOX_ALLOW_LOCAL=true) for development only',
    });
  }
  return {
    kind: 'local',
    async create(spec): Promise<Sandbox> {
      const children = new Set<number>();
      return {
        id: `local-${process.pid}-${Date.now()}`,
        workdir: spec.hostWorkspace,
        exec(command, options = {}) {
          return new Promise<ExecResult>((resolve) => {
            const started = performance.now();
            const child = spawn('bash', ['-c', command], {
              cwd: options.cwd ?? spec.hostWorkspace,
              env: { ...BASE_ENV, HOME: process.env.HOME ?? '/tmp', ...spec.env, ...options.env },
              detached: true,
              stdio: ['ignore', 'pipe', 'pipe'],
            });
            const pid = child.pid ?? 0;
            children.add(pid);
            const chunks: Buffer[] = [];
            child.stdout.on('data', (c: Buffer) => chunks.push(c));
            child.stderr.on('data', (c: Buffer) => chunks.push(c));
            let timedOut = false;
            const killTree = () => {
              try {
                process.kill(-pid, 'SIGKILL');
              } catch {}
            };
            const timer = setTimeout(() => {
              timedOut = true;
              killTree();
            }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
            options.signal?.addEventListener('abort', killTree, { once: true });
            child.on('close', (code, signal) => {
              clearTimeout(timer);
              killTree();
              children.delete(pid);
              const capped = capBuffer(
                Buffer.concat(chunks),
                options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
              );
              resolve({
                ...capped,
                exitCode: code ?? (signal ? 128 + 9 : 1),
                timedOut,
                durationMs: performance.now() - started,
              });
            });
          });
        },
        async dispose() {
          for (const pid of children) {
            try {
              process.kill(-pid, 'SIGKILL');
            } catch {}
          }
        },
      };
    },
  };
}
