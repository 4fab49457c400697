/**
 * A router small enough to read: exact segments and `:param` segments, no wildcards. The route's
 * pattern (not the raw path) labels metrics, so ids in paths do not explode label cardinality.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Route {
  method: 'GET' | 'POST';
  /** e.g. `/api/v1/jobs/:id/cancel` */
  pattern: string;
  /** Whether a bearer token is required. */
  auth: boolean;
  handle(ctx: RequestContext): Promise<void> | void;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: string[]; pattern: string }
  | { kind: 'not_found' };

export interface Router {
  match(method: string, pathname: string): RouteMatch;
}

export function createRouter(routes: readonly Route[]): Router {
  const compiled = routes.map((route) => ({ route, segments: split(route.pattern) }));
  return {
    match(method, pathname) {
      const parts = split(pathname);
      const allow: string[] = [];
      let pattern = '';
      for (const { route, segments } of compiled) {
        const params = matchSegments(segments, parts);
        if (!params) continue;
        if (route.method === method || (method === 'HEAD' && route.method === 'GET'))
          return { kind: 'found', route, params };
        allow.push(route.method);
        pattern = route.pattern;
      }
      return allow.length > 0
        ? { kind: 'method_not_allowed', allow: allow.sort(), pattern }
        : { kind: 'not_found' };
    },
  };
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(segments: string[], parts: string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    const part = parts[i] as string;
    if (seg.startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        return null;
      }
      params[seg.slice(1)] = value;
    } else if (seg !== part) return null;
  }
  return params;
}
