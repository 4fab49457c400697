/**
 * Bearer-token auth for the REST API. Only sha256 digests of the tokens are configured
 * (`server.apiTokenHashes`), so a leaked config file or log does not leak a usable token.
 * Comparison is over fixed-length digests with `timingSafeEqual`, so timing says nothing about
 * how much of a guess was right.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../core/errors.ts';

/** The digest to put in `server.apiTokenHashes` for a token. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh random token (to hand to a user once) and the digest to configure. */
export function generateApiToken(): { token: string; hash: string } {
  const token = `cjt_${randomBytes(24).toString('base64url')}`;
  return { token, hash: hashApiToken(token) };
}

export type AuthResult =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'none_configured' };

export interface BearerAuth {
  check(authorization: string | undefined): AuthResult;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Throws on a configured value that is not a sha256 hex digest: a plain token there is a mistake. */
export function createBearerAuth(tokenHashes: readonly string[]): BearerAuth {
  const digests = tokenHashes.map((h, i) => {
    const hex = h.trim().toLowerCase();
    if (!HEX_SHA256.test(hex))
      throw new ConfigError(
        [
          {
            source: 'server',
            path: `server.apiTokenHashes.${i}`,
            message: 'not a sha256 hex digest (64 hex characters)',
          },
        ],
        'put the digest, not the token: `printf %s "$TOKEN" | sha256sum`',
      );
    return Buffer.from(hex, 'hex');
  });
  return {
    check(authorization) {
      if (digests.length === 0) return { ok: false, reason: 'none_configured' };
      if (!authorization) return { ok: false, reason: 'missing' };
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match?.[1]) return { ok: false, reason: 'malformed' };
      const presented = createHash('sha256').update(match[1], 'utf8').digest();
      // Compare against every digest, not stopping at the first match, so the count does not leak.
      let found = false;
      for (const d of digests) found = timingSafeEqual(d, presented) || found;
      return found ? { ok: true } : { ok: false, reason: 'unknown' };
    },
  };
}
