/**
 * GitHub's webhook signature (`X-Hub-Signature-256`): `sha256=` + hex HMAC-SHA256 of the raw body
 * with the webhook secret, compared in constant time (THREATS.md #1).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signatureMatches(
  raw: Buffer,
  header: string | string[] | undefined,
  secret: string,
): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
