/**
 * The two patch kinds Kustomize applies: JSON 6902 (add/replace/remove/test) and a strategic merge
 * limited to what Kubernetes' patchMergeKeys say for pod specs: lists of named items (containers,
 * env, volumes, …) merge by `name`, `volumeMounts` by `mountPath`, container `ports` by
 * `containerPort`; other lists are replaced; `null` deletes a key.
 */
export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string };

const MERGE_KEYS: Record<string, string> = { volumeMounts: 'mountPath', ports: 'containerPort' };

type Json = Record<string, unknown> | unknown[];

export function applyJsonPatch(doc: unknown, ops: JsonPatchOp[]): unknown {
  const out = structuredClone(doc);
  for (const op of ops) {
    const parts = op.path
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    if (last === undefined) throw new Error(`JSON patch path "${op.path}" must not be the root`);
    let parent = out as Json;
    for (const p of parts) {
      const next = Array.isArray(parent) ? parent[Number(p)] : parent[p];
      if (typeof next !== 'object' || next === null)
        throw new Error(`JSON patch path "${op.path}" does not exist`);
      parent = next as Json;
    }
    applyOp(parent, last, op);
  }
  return out;
}

function applyOp(parent: Json, key: string, op: JsonPatchOp): void {
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new Error(`bad index ${key}`);
    if (op.op === 'add') parent.splice(index, 0, op.value);
    else if (index >= parent.length) throw new Error(`${op.op}: index ${key} out of range`);
    else if (op.op === 'replace') parent[index] = op.value;
    else if (op.op === 'remove') parent.splice(index, 1);
    else if (JSON.stringify(parent[index]) !== JSON.stringify(op.value))
      throw new Error(`test failed at ${key}`);
    return;
  }
  if (op.op !== 'add' && !(key in parent)) throw new Error(`${op.op}: "${key}" does not exist`);
  if (op.op === 'add' || op.op === 'replace') parent[key] = op.value;
  else if (op.op === 'remove') delete parent[key];
  else if (JSON.stringify(parent[key]) !== JSON.stringify(op.value)) throw new Error(`test failed at ${key}`);
}

export function applyStrategicMerge(base: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch))
    return Array.isArray(base) ? mergeList(base, patch, field) : structuredClone(patch);
  if (!isObject(patch) || !isObject(base)) return structuredClone(patch);
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = key in base ? applyStrategicMerge(base[key], value, key) : structuredClone(value);
  }
  return out;
}

function mergeList(base: unknown[], patch: unknown[], field: string): unknown[] {
  const key = MERGE_KEYS[field] ?? 'name';
  const keyed = (items: unknown[]) => items.every((i) => isObject(i) && i[key] !== undefined);
  if (!keyed(base) || !keyed(patch)) return structuredClone(patch);
  const out = base.map((item) => structuredClone(item)) as Record<string, unknown>[];
  for (const item of patch as Record<string, unknown>[]) {
    const at = out.findIndex((o) => o[key] === item[key]);
    if (at === -1) out.push(structuredClone(item));
    else out[at] = applyStrategicMerge(out[at], item) as Record<string, unknown>;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
