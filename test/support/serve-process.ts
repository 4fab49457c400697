/**
 * The real `conjecture serve` as a child process on loopback, as an operator runs it: for tests
 * and benches that kill it, flood it or measure it from outside (crash.int.test.ts, abuse-soak.ts).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'conjecture.js');

/** A GitHub App key for tests (the stand-in accepts any JWT). */
export const { privateKey: TEST_APP_KEY } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** Everything it wrote to stderr (its log lines) so far. */
  stderr(): string;
  /** Resolves once the process has exited. */
  exited: Promise<void>;
  /** SIGTERM (SIGKILL after 15 s) and wait for the exit; a no-op when it already exited. */
  stop(): Promise<void>;
}

export function startServeProcess(options: {
  home: string;
  /** The app's settings: APP_ID, WEBHOOK_SECRET, CONJECTURE_GITHUB_API_URL, … */
  env: Record<string, string>;
  args?: string[];
}): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', ...(options.args ?? ['--no-worker'])],
    {
      env: {
        PATH: process.env.PATH,
        HOME: options.home,
        PRIVATE_KEY: TEST_APP_KEY,
        CONJECTURE_MODEL_BASE_URL: 'http://127.0.0.1:9/v1',
        ...options.env,
      },
    },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<void>((resolve) =>
    child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}\n${err}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, stderr: () => err, exited, stop });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}):\n${out}\n${err}`)));
  });
}
