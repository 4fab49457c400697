/**
 * docs/api.md is the REST API reference; the OpenAPI description is the truth. Every operation the
 * server describes must have its row in the doc's route table, and every API row must be described.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/server/index.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'api.md'), 'utf8');
const openapi = buildOpenApiDocument('0.0.0') as { paths: Record<string, Record<string, unknown>> };
const described = Object.entries(openapi.paths).flatMap(([path, ops]) =>
  Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
);
const documented = [...doc.matchAll(/^\| `((?:GET|POST|PUT|PATCH|DELETE) \/[^`?]+)/gm)].map((m) => m[1]);
// The description does not list the route that serves it.
const SELF = 'GET /api/v1/openapi.json';

it('documents every operation of the OpenAPI description', () => {
  expect(described.length).toBeGreaterThan(5);
  for (const op of described) expect(documented, `${op} is missing from docs/api.md`).toContain(op);
});

it('documents no API operation the server does not describe', () => {
  for (const op of documented.filter((o) => o !== SELF))
    expect(described, `${op} is not in the OpenAPI description`).toContain(op);
});
