/**
 * A small Kustomize renderer for the subset `deploy/k8s/` uses, so the overlays render and get
 * validated on machines without kubectl (issue 8). It refuses every field it does not implement,
 * so a new overlay feature fails loudly instead of rendering something kubectl would not.
 * Transformer order follows kustomize: patches → namespace → labels → replicas → images.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { applyJsonPatch, applyStrategicMerge, type JsonPatchOp } from './kustomize-patch.ts';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  replicas?: { name: string; count: number }[];
  patches?: { path?: string; patch?: string; target?: { kind?: string; name?: string } }[];
}

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'labels',
  'images',
  'replicas',
  'patches',
]);
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
]);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

export function readYamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

/** Renders the kustomization in `dir` (and, recursively, the directories it lists) to objects. */
export function renderKustomization(dir: string): K8sObject[] {
  const file = join(dir, 'kustomization.yaml');
  const k = readYamlDocuments(file)[0] as Kustomization & Record<string, unknown>;
  const unknown = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unknown.length > 0) throw new Error(`${file}: unsupported fields ${unknown.join(', ')}`);

  let objects: K8sObject[] = [];
  for (const entry of k.resources ?? []) {
    const path = join(dir, entry);
    if (!existsSync(path)) throw new Error(`${file}: resource ${entry} not found`);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path));
    else objects.push(...(readYamlDocuments(path) as K8sObject[]));
  }
  for (const p of k.patches ?? []) objects = applyPatchEntry(objects, dir, p);
  for (const o of objects) {
    if (k.namespace && !CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
    for (const l of k.labels ?? []) addLabels(o, l);
  }
  for (const r of k.replicas ?? []) setReplicas(objects, r);
  for (const image of k.images ?? []) for (const o of objects) retag(o, image);
  assertUnique(objects, file);
  return objects;
}

function applyPatchEntry(
  objects: K8sObject[],
  dir: string,
  p: NonNullable<Kustomization['patches']>[number],
) {
  const text = p.path ? readFileSync(join(dir, p.path), 'utf8') : p.patch;
  if (!text) throw new Error(`${dir}: a patch needs path or patch`);
  const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
  const body = docs[0];
  if (Array.isArray(body)) {
    if (!p.target) throw new Error(`${dir}: a JSON 6902 patch needs a target`);
    return mapMatching(objects, p.target, (o) => applyJsonPatch(o, body as JsonPatchOp[]) as K8sObject);
  }
  // A strategic-merge file may hold several documents, each patching the object it names.
  let out = objects;
  for (const smp of docs as K8sObject[]) {
    const target = p.target ?? { kind: smp.kind, name: smp.metadata?.name };
    out = mapMatching(out, target, (o) => applyStrategicMerge(o, smp) as K8sObject);
  }
  return out;
}

function mapMatching(
  objects: K8sObject[],
  target: { kind?: string; name?: string },
  fn: (o: K8sObject) => K8sObject,
) {
  let hits = 0;
  const out = objects.map((o) => {
    if ((target.kind && o.kind !== target.kind) || (target.name && o.metadata.name !== target.name)) return o;
    hits++;
    return fn(o);
  });
  if (hits === 0) throw new Error(`patch target ${JSON.stringify(target)} matches no resource`);
  return out;
}

function addLabels(o: K8sObject, l: NonNullable<Kustomization['labels']>[number]): void {
  if (l.includeSelectors)
    throw new Error('labels.includeSelectors is not supported (selectors are immutable)');
  o.metadata.labels = { ...o.metadata.labels, ...l.pairs };
  const template = podTemplate(o);
  if (l.includeTemplates && template) {
    template.metadata ??= {};
    const meta = template.metadata as { labels?: Record<string, string> };
    meta.labels = { ...meta.labels, ...l.pairs };
  }
}

function setReplicas(objects: K8sObject[], r: { name: string; count: number }): void {
  const hits = objects.filter((o) => WORKLOADS.has(o.kind) && o.metadata.name === r.name);
  if (hits.length === 0) throw new Error(`replicas: no workload named ${r.name}`);
  for (const o of hits) (o.spec as Record<string, unknown>).replicas = r.count;
}

function retag(o: K8sObject, image: NonNullable<Kustomization['images']>[number]): void {
  const spec = podTemplate(o)?.spec as Record<string, unknown> | undefined;
  for (const list of ['containers', 'initContainers']) {
    for (const c of (spec?.[list] ?? []) as { image?: string }[]) {
      if (!c.image) continue;
      const name = c.image.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
      if (name !== image.name) continue;
      const tag = image.digest ? `@${image.digest}` : `:${image.newTag ?? c.image.slice(name.length + 1)}`;
      c.image = `${image.newName ?? name}${tag}`;
    }
  }
}

export function podTemplate(o: K8sObject): Record<string, unknown> | undefined {
  if (!WORKLOADS.has(o.kind)) return undefined;
  return (o.spec as { template?: Record<string, unknown> } | undefined)?.template;
}

function assertUnique(objects: K8sObject[], file: string): void {
  const seen = new Set<string>();
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(id)) throw new Error(`${file}: duplicate resource ${id}`);
    seen.add(id);
  }
}
