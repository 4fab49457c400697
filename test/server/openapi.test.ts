import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/server/openapi.ts';
import { createOpenApiChecker } from './openapi-check.ts';

describe('OpenAPI description', () => {
  const doc = buildOpenApiDocument('9.9.9');
  const check = createOpenApiChecker(doc);

  it('is OpenAPI 3.1 with every component free of $id/$schema', () => {
    expect(doc.openapi).toBe('3.1.0');
    const schemas = (doc.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
    expect(Object.keys(schemas).sort()).toEqual([
      'CreateJobRequest',
      'Error',
      'IssueInput',
      'Job',
      'JobList',
      'JobOptions',
      'JobState',
      'Readiness',
    ]);
    for (const s of Object.values(schemas)) {
      expect(s.$id).toBeUndefined();
      expect(s.$schema).toBeUndefined();
    }
  });

  it('describes requests as input: defaults are optional, unknown keys refused', () => {
    check('CreateJobRequest', { repo: 'o/r', issue: { title: 't' } });
    expect(() => check('CreateJobRequest', { repo: 'o/r', issue: { title: 't' }, extra: 1 })).toThrow();
    expect(() => check('CreateJobRequest', { repo: 'o/r', issue: { title: 't', url: 'x' } })).toThrow();
  });

  it('lists every API route', () => {
    expect(Object.keys(doc.paths as object).sort()).toEqual([
      '/api/v1/jobs',
      '/api/v1/jobs/{id}',
      '/api/v1/jobs/{id}/cancel',
      '/api/v1/jobs/{id}/patch',
      '/api/v1/jobs/{id}/trace',
      '/healthz',
      '/metrics',
      '/readyz',
    ]);
  });
});
