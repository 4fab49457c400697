/**
 * Every git command the host runs goes through here, with a configuration the agent cannot
 * influence: no system or global config, hooks and fsmonitor off, no external diff or textconv.
 * A token, when given, reaches git only as an HTTP header through the environment — never on the
 * command line (visible in `ps`) and never in a config file or remote URL on disk.
 */
import { execa } from 'execa';
import { WorkspaceError } from '../core/errors.ts';

export interface GitOptions {
  cwd?: string;
  token?: string;
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Return the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  timeoutMs?: number;
  /** Largest stdout kept (bytes); past it git is stopped and `overflowed` is set. Default 512 MiB. */
  maxBuffer?: number;
  /** Run as this user (files it writes belong to the sandbox's user). */
  user?: { uid: number; gid: number };
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** stdout reached `maxBuffer` and git was stopped. */
  overflowed?: boolean;
}

const SAFE_CONFIG = [
  'core.fsmonitor=false',
  'core.hooksPath=/dev/null',
  'core.untrackedCache=false',
  'diff.external=',
  'protocol.ext.allow=never',
  'safe.directory=*',
  'advice.detachedHead=false',
  'init.defaultBranch=main',
];

export function gitEnv(token?: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    GIT_AUTHOR_NAME: 'Conjecture',
    GIT_AUTHOR_EMAIL: 'conjecture@users.noreply.github.com',
    GIT_COMMITTER_NAME: 'Conjecture',
    GIT_COMMITTER_EMAIL: 'conjecture@users.noreply.github.com',
    ...extra,
  };
  if (token) {
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  }
  return env;
}

export async function git(args: string[], options: GitOptions = {}): Promise<GitResult> {
  const full = [...SAFE_CONFIG.flatMap((c) => ['-c', c]), ...args];
  const result = await execa('git', full, {
    cwd: options.cwd,
    env: gitEnv(options.token, {
      ...(options.user ? { HOME: '/tmp', XDG_CONFIG_HOME: '/tmp' } : {}),
      ...options.env,
    }),
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    extendEnv: true,
    input: options.input,
    reject: false,
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? 600_000,
    encoding: 'utf8',
    maxBuffer: options.maxBuffer ?? 512 * 1024 * 1024,
  });
  const out: GitResult = {
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    exitCode: result.exitCode ?? 1,
    ...(result.isMaxBuffer ? { overflowed: true } : {}),
  };
  if (out.exitCode !== 0 && !options.allowFailure) {
    const stderr = redactToken(out.stderr.trim(), options.token).split('\n').slice(-5).join('\n');
    throw new WorkspaceError(`git ${args[0]} failed (exit ${out.exitCode}): ${stderr}`, {
      code: 'git_failed',
      retryable: /Could not resolve host|Connection (refused|reset|timed out)|HTTP 5\d\d|early EOF/i.test(
        stderr,
      ),
    });
  }
  return out;
}

function redactToken(text: string, token?: string): string {
  return token ? text.replaceAll(token, '[REDACTED]') : text;
}
