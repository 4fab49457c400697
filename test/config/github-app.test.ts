import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { githubAppCredentials, loadConfig } from '../../src/config/index.ts';
import { ConjectureError } from '../../src/core/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'conjecture-app-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 1024,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const credentialsFrom = (env: Record<string, string>) =>
  githubAppCredentials(loadConfig({ env, cwd: dir }).config.github);
const failure = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err as ConjectureError;
  }
  throw new Error('expected an error');
};

describe('GitHub App credentials', () => {
  it('names each missing variable', () => {
    const err = failure(() => credentialsFrom({ APP_ID: '1' }));
    expect(err).toBeInstanceOf(ConjectureError);
    expect(err.code).toBe('app_not_configured');
    expect(err.message).toContain('PRIVATE_KEY or PRIVATE_KEY_PATH');
    expect(err.message).toContain('WEBHOOK_SECRET');
    expect(err.message).not.toContain('APP_ID');
    expect(failure(() => credentialsFrom({})).message).toMatch(/APP_ID.*PRIVATE_KEY.*WEBHOOK_SECRET/);
  });

  it('reads the key from PRIVATE_KEY_PATH, relative to where the command runs, as Probot does', () => {
    writeFileSync(join(dir, 'app.pem'), privateKey);
    const creds = credentialsFrom({ APP_ID: '1', WEBHOOK_SECRET: 's', PRIVATE_KEY_PATH: 'app.pem' });
    expect(creds).toEqual({ appId: '1', webhookSecret: 's', privateKey: `${privateKey.trim()}\n` });
    const missing = failure(() =>
      credentialsFrom({ APP_ID: '1', WEBHOOK_SECRET: 's', PRIVATE_KEY_PATH: 'gone.pem' }),
    );
    expect(missing.code).toBe('app_private_key_missing');
    expect(missing.message).toContain(join(dir, 'gone.pem'));
  });

  it('accepts a one-line key with \\n escapes or base64, and refuses what is not a PEM key', () => {
    const base = { APP_ID: '1', WEBHOOK_SECRET: 's' };
    const expected = `${privateKey.trim()}\n`;
    const escaped = privateKey.trim().replace(/\n/g, '\\n');
    expect(credentialsFrom({ ...base, PRIVATE_KEY: escaped }).privateKey).toBe(expected);
    const b64 = Buffer.from(privateKey).toString('base64');
    expect(credentialsFrom({ ...base, PRIVATE_KEY: b64 }).privateKey).toBe(expected);
    expect(failure(() => credentialsFrom({ ...base, PRIVATE_KEY: 'not a key' })).code).toBe(
      'app_private_key_invalid',
    );
  });
});
