/**
 * The GitHub App's credentials as `serve` and `worker` need them, read the way Probot reads them
 * (issue 14): the key from `PRIVATE_KEY` (PEM, also with `\n` escapes or base64-encoded, as a
 * one-line secret store keeps it) or else from the file `PRIVATE_KEY_PATH` names. What is missing
 * is named variable by variable, so the operator knows what to set.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConjectureError } from '../core/errors.ts';
import type { Config } from './schema.ts';

export interface GitHubAppCredentials {
  appId: string;
  privateKey: string;
  webhookSecret: string;
}

const PEM = /-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----/;

export function githubAppCredentials(github: Config['github']): GitHubAppCredentials {
  const missing = [
    ...(github.appId ? [] : ['APP_ID (github.appId)']),
    ...(github.privateKey || github.privateKeyPath
      ? []
      : ['PRIVATE_KEY or PRIVATE_KEY_PATH (github.privateKey or github.privateKeyPath)']),
    ...(github.webhookSecret ? [] : ['WEBHOOK_SECRET (github.webhookSecret)']),
  ];
  if (missing.length > 0)
    throw new ConjectureError(`the GitHub App is not configured: missing ${missing.join(', ')}`, {
      code: 'app_not_configured',
      hint: 'set each in the environment (Probot names) or the config file; see docs/github-app.md',
    });
  return {
    appId: github.appId as string,
    privateKey: github.privateKey
      ? normalizeKey(github.privateKey, 'PRIVATE_KEY')
      : readKeyFile(github.privateKeyPath as string),
    webhookSecret: github.webhookSecret as string,
  };
}

function readKeyFile(path: string): string {
  if (!existsSync(path))
    throw new ConjectureError(`PRIVATE_KEY_PATH names ${path}, which does not exist`, {
      code: 'app_private_key_missing',
      hint: "point PRIVATE_KEY_PATH at the .pem file downloaded from the App's settings page",
    });
  return normalizeKey(readFileSync(path, 'utf8'), `the file ${path}`);
}

function normalizeKey(raw: string, source: string): string {
  let key = raw.trim();
  if (!key.includes('-----BEGIN') && /^[A-Za-z0-9+/=\s]+$/.test(key))
    key = Buffer.from(key, 'base64').toString('utf8').trim();
  key = key.replace(/\\n/g, '\n');
  if (!PEM.test(key))
    throw new ConjectureError(`${source} does not hold a PEM private key`, {
      code: 'app_private_key_invalid',
      hint: "paste the whole .pem file from the App's settings page, BEGIN and END lines included",
    });
  return `${key}\n`;
}
