/**
 * Web sign-in with the API's own tokens: the login form posts a token, which is checked against
 * `server.apiTokenHashes` and kept in an HttpOnly, SameSite=Strict cookie (script cannot read it,
 * other sites cannot send it). Nothing new is stored on the server; revoking a token's digest
 * signs its browsers out too.
 */
import type { IncomingMessage } from 'node:http';
import type { BearerAuth } from '../auth.ts';

export const SESSION_COOKIE = 'conjecture_token';
const MAX_AGE_S = 12 * 3600;

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function isSignedIn(req: IncomingMessage, auth: BearerAuth): boolean {
  const token = cookieValue(req.headers.cookie, SESSION_COOKIE);
  return token !== undefined && /^\S+$/.test(token) && auth.check(`Bearer ${token}`).ok;
}

/** `Secure` when the request came over TLS (directly or through a proxy saying so). */
function secure(req: IncomingMessage): string {
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  return tls || req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
}

export function sessionCookie(req: IncomingMessage, token: string): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${MAX_AGE_S}${secure(req)}`;
}

export function clearedCookie(req: IncomingMessage): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure(req)}`;
}
