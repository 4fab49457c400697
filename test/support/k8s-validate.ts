/**
 * Validates Kubernetes objects against the Kubernetes OpenAPI schemas, twice over, because each check
 * alone misses something:
 * - `kubernetes-models` ships the schemas compiled to validators (types, required fields, enums,
 *   formats) but lets unknown fields through, so a typo like `livenesProbe` would pass;
 * - its TypeScript declarations come from the same OpenAPI document, and TypeScript's excess-property
 *   check on an object literal rejects unknown fields at any depth, as `kubectl --validate=strict` does.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { K8sObject } from './kustomize.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function modelModule(o: K8sObject): { specifier: string; type: string } {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : [undefined, o.apiVersion];
  if (!version || !/^[A-Za-z]+$/.test(o.kind))
    throw new Error(`bad apiVersion/kind ${o.apiVersion} ${o.kind}`);
  const path = group ? `${group}/${version}` : version;
  return { specifier: `kubernetes-models/${path}/${o.kind}`, type: `I${o.kind}` };
}

const describe = (o: K8sObject) => `${o.kind}/${o.metadata?.name ?? '?'}`;

/** Problems found by the compiled OpenAPI validators; empty when every object is valid. */
export async function validateWithSchemas(objects: K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const o of objects) {
    const { specifier } = modelModule(o);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(specifier)) as Record<string, unknown>;
    } catch {
      problems.push(`${describe(o)}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    const Model = mod[o.kind] as new (data: unknown) => { validate(): void };
    try {
      new Model(o).validate();
    } catch (error) {
      problems.push(`${describe(o)}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Problems found by type-checking each object as a literal of its Kubernetes type. */
export function typecheckObjects(objects: K8sObject[]): string[] {
  const file = join(ROOT, 'test', '.k8s-typecheck.ts');
  const lines: string[] = [];
  const owners: string[] = [];
  objects.forEach((o, i) => {
    const { specifier, type } = modelModule(o);
    lines.push(`import type { ${type} as T${i} } from '${specifier}';`);
    owners.push('');
  });
  objects.forEach((o, i) => {
    const body = `export const m${i}: T${i} = ${JSON.stringify(o, null, 1)};`;
    for (const _ of body.split('\n')) owners.push(describe(o));
    lines.push(body);
  });
  const text = lines.join('\n');
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSource = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === file ? text : read(f));
  host.fileExists = (f) => f === file || exists(f);
  host.getSourceFile = (f, lang, ...rest) =>
    f === file ? ts.createSourceFile(f, text, lang) : getSource(f, lang, ...rest);
  const program = ts.createProgram([file], options, host);
  const source = program.getSourceFile(file)!;
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
    const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line;
    return `${owners[line] || 'imports'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
