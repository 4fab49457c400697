import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderKustomization } from '../support/kustomize.ts';
import { applyJsonPatch, applyStrategicMerge } from '../support/kustomize-patch.ts';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, labels: { a: "1" } }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: registry.example/web:1.0
          env: [{ name: A, value: "1" }, { name: B, value: "2" }]
        - name: side
          image: busybox
`;

let dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'kustomize-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('renderKustomization', () => {
  it('applies namespace, labels, replicas, images and patches of an overlay over its base', () => {
    const root = tree({
      'base/kustomization.yaml': 'resources: [deploy.yaml]\n',
      'base/deploy.yaml': deployment,
      'prod/kustomization.yaml': `namespace: prod
resources: [../base]
labels: [{ pairs: { env: prod }, includeTemplates: true }]
replicas: [{ name: web, count: 5 }]
images: [{ name: registry.example/web, newTag: "2.0" }]
patches:
  - path: env.yaml
  - target: { kind: Deployment, name: web }
    patch: |
      - op: add
        path: /spec/template/spec/containers/1/args
        value: [sleep, "1"]
`,
      'prod/env.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          env: [{ name: B, value: "20" }, { name: C, value: "3" }]
`,
    });
    const [web] = renderKustomization(join(root, 'prod'));
    expect(web?.metadata).toEqual({ name: 'web', namespace: 'prod', labels: { a: '1', env: 'prod' } });
    const spec = web?.spec as {
      replicas: number;
      selector: unknown;
      template: {
        metadata: { labels: Record<string, string> };
        spec: { containers: { image: string; env?: unknown }[] };
      };
    };
    expect(spec.replicas).toBe(5);
    expect(spec.selector).toEqual({ matchLabels: { app: 'web' } });
    expect(spec.template.metadata.labels).toEqual({ app: 'web', env: 'prod' });
    const [main, side] = spec.template.spec.containers;
    expect(main?.image).toBe('registry.example/web:2.0');
    expect(main?.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '20' },
      { name: 'C', value: '3' },
    ]);
    expect(side).toEqual({ name: 'side', image: 'busybox', args: ['sleep', '1'] });
  });

  it('refuses fields it does not implement, patches that match nothing, and duplicates', () => {
    const root = tree({
      'a/kustomization.yaml': 'resources: [d.yaml]\nnamePrefix: x-\n',
      'a/d.yaml': deployment,
      'b/kustomization.yaml': 'resources: [d.yaml]\npatches: [{ path: p.yaml }]\n',
      'b/d.yaml': deployment,
      'b/p.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: web }\n',
      'c/kustomization.yaml': 'resources: [d.yaml, d.yaml]\n',
      'c/d.yaml': deployment,
    });
    expect(() => renderKustomization(join(root, 'a'))).toThrow(/unsupported fields namePrefix/);
    expect(() => renderKustomization(join(root, 'b'))).toThrow(/matches no resource/);
    expect(() => renderKustomization(join(root, 'c'))).toThrow(/duplicate resource Deployment\/\/web/);
  });
});

describe('patches', () => {
  it('JSON 6902 supports add, replace, remove and test, and fails on a missing path', () => {
    const doc = { a: { b: [1, 2] }, c: 1 };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'replace', path: '/c', value: 2 },
      { op: 'remove', path: '/a/b/0' },
      { op: 'test', path: '/c', value: 2 },
    ]);
    expect(out).toEqual({ a: { b: [2, 3] }, c: 2 });
    expect(doc).toEqual({ a: { b: [1, 2] }, c: 1 });
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/x/y', value: 1 }])).toThrow(/does not exist/);
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/c', value: 9 }])).toThrow(/test failed/);
  });

  it('strategic merge merges named items, volumeMounts by mountPath, replaces other lists, deletes nulls', () => {
    const base = {
      containers: [{ name: 'a', args: ['x'], volumeMounts: [{ mountPath: '/d', name: 'v' }] }],
      keep: 1,
      drop: 2,
    };
    const patch = {
      containers: [{ name: 'a', args: ['y'], volumeMounts: [{ mountPath: '/d', readOnly: true }] }],
      drop: null,
    };
    expect(applyStrategicMerge(base, patch)).toEqual({
      containers: [
        { name: 'a', args: ['y'], volumeMounts: [{ mountPath: '/d', name: 'v', readOnly: true }] },
      ],
      keep: 1,
    });
  });
});
