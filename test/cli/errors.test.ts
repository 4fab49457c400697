import { describe, expect, it } from 'vitest';
import { reportError, UsageError } from '../../src/cli/errors.ts';
import { ConfigError, SandboxError } from '../../src/core/errors.ts';
import { captureStream } from './capture.ts';

function report(err: unknown, options: { json?: boolean; debug?: boolean } = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = reportError(err, {
    stdout,
    stderr,
    json: options.json ?? false,
    debug: options.debug ?? false,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('reportError', () => {
  it('lists every config issue as source: path: message and exits 2', () => {
    const err = new ConfigError([
      { source: 'a.yml', path: 'model.name', message: 'too short' },
      { source: 'env CONJECTURE_X', path: '', message: 'unknown setting' },
    ]);
    const out = report(err);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      'error: invalid configuration (2 problems):\n  a.yml: model.name: too short\n  env CONJECTURE_X: (root): unknown setting\n',
    );
  });

  it('prints a ConjectureError with its fix and exits 1, no stack unless debugging', () => {
    const err = new SandboxError('Docker is not reachable at /x.sock (ENOENT)', {
      code: 'docker_unavailable',
      hint: 'start Docker',
    });
    expect(report(err)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: Docker is not reachable at /x.sock (ENOENT)\n  fix: start Docker\n',
    });
    expect(report(err, { debug: true }).stderr).toMatch(/^\s+at /m);
  });

  it('a usage error points at the command help and exits 2', () => {
    expect(report(new UsageError('unknown option --x', 'doctor'))).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: unknown option --x\nsee conjecture doctor --help\n',
    });
  });

  it('an internal error hides its stack unless --log-level debug', () => {
    const quiet = report(new TypeError('boom'));
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).not.toMatch(/^\s+at /m);
    expect(quiet.stderr).toContain('rerun with --log-level debug');
    expect(report(new TypeError('boom'), { debug: true }).stderr).toMatch(/^\s+at /m);
  });

  it('with --json also writes the error as JSON on stdout', () => {
    const out = report(new ConfigError([{ source: 'f', path: 'p', message: 'm' }]), { json: true });
    expect(JSON.parse(out.stdout)).toEqual({
      ok: false,
      error: {
        code: 'config_invalid',
        message: 'invalid configuration',
        issues: [{ source: 'f', path: 'p', message: 'm' }],
      },
    });
  });
});
