/**
 * Checks the GitHub stand-in's traffic against GitHub's published OpenAPI description
 * (`@octokit/openapi`), so the app is tested against the real API's shapes, not our memory of them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<
    string,
    {
      content?: Record<
        string,
        { schema?: unknown; examples?: Record<string, { $ref?: string; value?: unknown }> }
      >;
    }
  >;
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { examples: Record<string, { value: unknown }> };
}

let spec: Spec | undefined;
let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function load(): { spec: Spec; ajv: Ajv } {
  if (!spec || !ajv) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    spec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
    typelessNullable(spec);
    ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema(spec as object, 'gh');
  }
  return { spec, ajv };
}

/**
 * Ajv refuses OpenAPI 3.0's `nullable` on a schema without `type` (GitHub's spec has many, e.g.
 * `allOf: [...]` with `nullable: true`), so those become `anyOf: [schema, {type: 'null'}]`.
 */
function typelessNullable(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) typelessNullable(item);
    return;
  }
  const o = node as Record<string, unknown>;
  for (const value of Object.values(o)) typelessNullable(value);
  if (typeof o.nullable !== 'boolean' || 'type' in o) return;
  const nullable = o.nullable;
  delete o.nullable;
  if (!nullable) return;
  const rest = { ...o };
  for (const key of Object.keys(o)) delete o[key];
  o.anyOf = [rest, { type: 'null' }];
}

function pointer(...parts: string[]): string {
  return parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

// Ajv understands OpenAPI 3.0's `nullable` keyword itself; unknown `x-github` keywords are ignored.
function validator(ref: string): ValidateFunction {
  let fn = compiled.get(ref);
  if (!fn) {
    const { ajv } = load();
    fn = ajv.compile({ $ref: `gh#/${ref}` });
    compiled.set(ref, fn);
  }
  return fn;
}

export interface SchemaProblem {
  where: string;
  errors: string[];
}

function check(ref: string, value: unknown, where: string): SchemaProblem | null {
  const fn = validator(ref);
  if (fn(value)) return null;
  return { where, errors: (fn.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`) };
}

export function checkRequest(template: string, method: string, body: unknown): SchemaProblem | null {
  const op = load().spec.paths[template]?.[method];
  if (!op)
    return {
      where: `${method.toUpperCase()} ${template}`,
      errors: ['no such operation in the OpenAPI description'],
    };
  if (!op.requestBody?.content?.['application/json']?.schema) return null;
  return check(
    pointer('paths', template, method, 'requestBody', 'content', 'application/json', 'schema'),
    body,
    `request ${method.toUpperCase()} ${template}`,
  );
}

export function checkResponse(
  template: string,
  method: string,
  status: number,
  body: unknown,
): SchemaProblem | null {
  const op = load().spec.paths[template]?.[method];
  const response = op?.responses?.[String(status)];
  if (!response)
    return { where: `${method.toUpperCase()} ${template} ${status}`, errors: ['status not documented'] };
  if (!response.content?.['application/json']?.schema) return null;
  return check(
    pointer('paths', template, method, 'responses', String(status), 'content', 'application/json', 'schema'),
    body,
    `response ${method.toUpperCase()} ${template} ${status}`,
  );
}

/** GitHub's own documented example response, a realistic base for the stand-in's answers. */
export function exampleResponse(template: string, method: string, status: number): Record<string, unknown> {
  const { spec } = load();
  const examples =
    spec.paths[template]?.[method]?.responses?.[String(status)]?.content?.['application/json']?.examples;
  const first = examples ? Object.values(examples)[0] : undefined;
  if (!first) return {};
  // The reference sits either on the example itself or inside its `value`.
  const ref = first.$ref ?? (first.value as { $ref?: string } | undefined)?.$ref;
  const value = ref ? spec.components.examples[ref.split('/').pop()!]?.value : first.value;
  return structuredClone((value ?? {}) as Record<string, unknown>);
}
