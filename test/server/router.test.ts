import { describe, expect, it } from 'vitest';
import { createRouter, type Route } from '../../src/server/router.ts';

const route = (method: Route['method'], pattern: string): Route => ({
  method,
  pattern,
  auth: false,
  handle: () => {},
});

describe('router', () => {
  const router = createRouter([
    route('GET', '/a/jobs'),
    route('POST', '/a/jobs'),
    route('GET', '/a/jobs/:id'),
    route('POST', '/a/jobs/:id/cancel'),
  ]);

  it('matches params and decodes them', () => {
    const m = router.match('GET', '/a/jobs/x%2Fy');
    expect(m.kind === 'found' && m.params).toEqual({ id: 'x/y' });
    const c = router.match('POST', '/a/jobs/7/cancel');
    expect(c.kind === 'found' && c.route.pattern).toBe('/a/jobs/:id/cancel');
  });

  it('tells 405 (with the allowed methods) from 404', () => {
    expect(router.match('DELETE', '/a/jobs')).toEqual({
      kind: 'method_not_allowed',
      allow: ['GET', 'POST'],
      pattern: '/a/jobs',
    });
    expect(router.match('GET', '/a/jobs/7/cancel')).toMatchObject({
      kind: 'method_not_allowed',
      allow: ['POST'],
    });
    expect(router.match('GET', '/a/nothing')).toEqual({ kind: 'not_found' });
    expect(router.match('GET', '/a/jobs/%E0%A4%A')).toEqual({ kind: 'not_found' });
  });

  it('answers HEAD with the GET route', () => {
    expect(router.match('HEAD', '/a/jobs').kind).toBe('found');
  });
});
