import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { createBearerAuth, generateApiToken, hashApiToken } from '../../src/server/auth.ts';

describe('bearer auth with hashed tokens', () => {
  const token = 'cjt_test-token-1';
  const auth = createBearerAuth([hashApiToken('other'), hashApiToken(token).toUpperCase()]);

  it('hashes with sha256 hex, as `sha256sum` would', () => {
    expect(hashApiToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
  });

  it('accepts a configured token and only that', () => {
    expect(auth.check(`Bearer ${token}`)).toEqual({ ok: true });
    expect(auth.check(`bearer ${token}`)).toEqual({ ok: true });
    expect(auth.check(`Bearer ${token}x`)).toEqual({ ok: false, reason: 'unknown' });
    expect(auth.check(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(auth.check(`Basic ${token}`)).toEqual({ ok: false, reason: 'malformed' });
    expect(auth.check('Bearer a b')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts nothing when no digests are configured', () => {
    expect(createBearerAuth([]).check(`Bearer ${token}`)).toEqual({ ok: false, reason: 'none_configured' });
  });

  it('refuses a plain token configured where a digest belongs', () => {
    expect(() => createBearerAuth([token])).toThrow(ConfigError);
  });

  it('generates tokens whose digest it accepts', () => {
    const { token: t, hash } = generateApiToken();
    expect(t).toMatch(/^cjt_[\w-]{32}$/);
    expect(createBearerAuth([hash]).check(`Bearer ${t}`)).toEqual({ ok: true });
  });
});
