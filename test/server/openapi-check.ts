/** Validates API answers against the served OpenAPI document's component schemas (ajv, JSON Schema 2020-12). */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';

export function createOpenApiChecker(
  doc: Record<string, unknown>,
): (schemaId: string, value: unknown) => void {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ ...doc, $id: 'openapi.json' });
  return (schemaId, value) => {
    const validate = ajv.getSchema(`openapi.json#/components/schemas/${schemaId}`);
    if (!validate) throw new Error(`no schema ${schemaId} in the document`);
    const ok = validate(value);
    expect(ok ? null : validate.errors).toBeNull();
  };
}
