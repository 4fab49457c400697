/**
 * Every Kubernetes manifest in deploy/k8s renders for dev, staging and prod, passes the Kubernetes
 * OpenAPI schemas (with unknown fields rejected), and keeps the properties the deployment relies on.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfigFromEnv } from '../support/config-env.ts';
import { typecheckObjects, validateWithSchemas } from '../support/k8s-validate.ts';
import { type K8sObject, podTemplate, readYamlDocuments, renderKustomization } from '../support/kustomize.ts';
import { describeIf, missingCommand } from '../support/prereq.ts';

const K8S = join(import.meta.dirname, '..', '..', 'deploy', 'k8s');
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
const rendered = new Map<string, K8sObject[]>();

interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { privileged?: boolean; runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean };
  restartPolicy?: string;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean };
  automountServiceAccountToken?: boolean;
}

interface Spec {
  selector: Record<string, string> & { matchLabels: Record<string, string> };
  scaleTargetRef: { kind: string; name: string };
  maxReplicas: number;
  replicas?: number;
}
interface Probed {
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  startupProbe?: unknown;
}

const find = (objects: K8sObject[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o as K8sObject & { spec: Spec; data?: Record<string, string> };
};
const podSpec = (o: K8sObject) => podTemplate(o)?.spec as PodSpec;
const workloads = (objects: K8sObject[]) => objects.filter((o) => podTemplate(o));

beforeAll(() => {
  rendered.set('base', renderKustomization(join(K8S, 'base')));
  for (const env of ENVIRONMENTS) rendered.set(env, renderKustomization(join(K8S, 'overlays', env)));
});

describe('deploy/k8s', () => {
  it('renders every environment into its own namespace with the same set of resources', () => {
    const ids = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    const base = rendered.get('base')!;
    expect(ids(base)).toContain('Deployment/conjecture-worker');
    for (const env of ENVIRONMENTS) {
      const objs = rendered.get(env)!;
      expect(ids(objs)).toEqual(ids(base));
      for (const o of objs) {
        expect(o.metadata.namespace).toBe(`conjecture-${env}`);
        expect(o.metadata.labels?.environment).toBe(env);
      }
    }
  });

  it('passes the Kubernetes OpenAPI schemas, the secret template included', async () => {
    const secret = readYamlDocuments(join(K8S, 'secret.template.yaml')) as K8sObject[];
    const all = [...rendered.values()].flat().concat(secret);
    expect(await validateWithSchemas(all)).toEqual([]);
  });

  it('has no unknown fields anywhere (strict validation), and would catch one', () => {
    const all = [...rendered.values()].flat();
    const broken = structuredClone(find(rendered.get('dev')!, 'Deployment', 'conjecture-app'));
    (podSpec(broken).containers[0] as unknown as Record<string, unknown>).livenesProbe = {};
    const problems = typecheckObjects([...all, broken]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/Deployment\/conjecture-app: .*'"livenesProbe"' does not exist/);
  }, 60_000);

  it('gives every container resource requests and limits, and runs only the dind sidecar privileged', () => {
    for (const objs of rendered.values()) {
      for (const w of workloads(objs)) {
        const spec = podSpec(w);
        expect(spec.automountServiceAccountToken, w.metadata.name).toBe(false);
        for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
          expect(Object.keys(c.resources?.requests ?? {}), `${w.metadata.name}/${c.name}`).toEqual([
            'cpu',
            'memory',
          ]);
          expect(c.resources?.limits?.memory, `${w.metadata.name}/${c.name}`).toBeDefined();
          const privileged = c.securityContext?.privileged === true;
          expect(privileged, `${w.metadata.name}/${c.name}`).toBe(c.name === 'dind');
          if (!privileged)
            expect(c.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot).toBe(true);
        }
      }
    }
  });

  it('probes the app on /healthz and /readyz, and starts the worker after its Docker sidecar', () => {
    const objs = rendered.get('prod')!;
    const app = podSpec(find(objs, 'Deployment', 'conjecture-app')).containers[0] as unknown as Probed;
    expect(app.livenessProbe.httpGet.path).toBe('/healthz');
    expect(app.readinessProbe.httpGet.path).toBe('/readyz');
    const worker = podSpec(find(objs, 'Deployment', 'conjecture-worker'));
    const [dind, pull] = worker.initContainers ?? [];
    expect(dind?.restartPolicy).toBe('Always');
    expect((dind as unknown as Probed).startupProbe).toBeDefined();
    expect(pull?.name).toBe('sandbox-image');
    const mounts = (c: unknown) =>
      (c as { volumeMounts: { name: string; mountPath: string }[] }).volumeMounts;
    const statePath = (c: unknown) => mounts(c).find((m) => m.name === 'state')?.mountPath;
    expect(statePath(dind)).toBe('/var/lib/conjecture');
    expect(statePath(worker.containers[0])).toBe(statePath(dind));
  });

  it('points selectors, PDBs, HPAs and probes at things that exist', () => {
    for (const objs of rendered.values()) {
      const pods = workloads(objs).map(
        (w) => (podTemplate(w)?.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {},
      );
      const selects = (sel: Record<string, string>) =>
        pods.some((labels) => Object.entries(sel).every(([k, v]) => labels[k] === v));
      for (const o of objs as (K8sObject & { spec: Spec })[]) {
        if (o.kind === 'Service') expect(selects(o.spec.selector), o.metadata.name).toBe(true);
        if (o.kind === 'PodDisruptionBudget') expect(selects(o.spec.selector.matchLabels)).toBe(true);
        if (o.kind === 'HorizontalPodAutoscaler') {
          const target = find(objs, o.spec.scaleTargetRef.kind, o.spec.scaleTargetRef.name);
          expect(target.spec.replicas).toBeLessThanOrEqual(o.spec.maxReplicas);
        }
      }
      const cm = find(objs, 'ConfigMap', 'conjecture-config');
      for (const w of workloads(objs))
        for (const c of podSpec(w).containers as unknown as {
          envFrom?: { configMapRef?: { name: string } }[];
        }[])
          for (const ref of c.envFrom ?? [])
            if (ref.configMapRef) expect(ref.configMapRef.name).toBe(cm.metadata.name);
    }
  });

  it('lets workers (and so the setup egress proxy) reach 80/443 on public addresses only (THREATS.md #25)', () => {
    interface Rule {
      to?: { ipBlock?: { cidr: string; except?: string[] }; podSelector?: unknown }[];
      ports?: { port: number }[];
    }
    for (const [env, objects] of rendered) {
      const policy = find(objects, 'NetworkPolicy', 'conjecture-worker') as unknown as {
        spec: { egress: Rule[] };
      };
      for (const rule of policy.spec.egress) {
        // Every rule names its peers: no "any destination" rule.
        expect(rule.to?.length ?? 0, env).toBeGreaterThan(0);
        for (const peer of rule.to ?? []) {
          if (!peer.ipBlock) continue;
          expect(peer.ipBlock.except, env).toEqual(
            expect.arrayContaining([
              '10.0.0.0/8',
              '172.16.0.0/12',
              '192.168.0.0/16',
              '169.254.0.0/16',
              '127.0.0.0/8',
            ]),
          );
        }
      }
      const web = policy.spec.egress.find((r) => r.to?.some((p) => p.ipBlock));
      expect(web?.ports?.map((p) => p.port).sort(), env).toEqual([443, 80]);
    }
  });

  it('configures Conjecture only with settings the config loader accepts', () => {
    for (const env of ENVIRONMENTS) {
      const cm = find(rendered.get(env)!, 'ConfigMap', 'conjecture-config');
      const config = loadConfigFromEnv(cm.data ?? {});
      expect(config.queue.backend).toBe('redis');
      expect(config.server.host).toBe('0.0.0.0');
      expect(config.sandbox.dockerSocket).toBe('/var/run/dind/docker.sock');
    }
    expect(loadConfigFromEnv({ CONJECTURE_LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(() => loadConfigFromEnv({ CONJECTURE_NO_SUCH_SETTING: '1' })).toThrow(/unknown setting/);
    const secret = readYamlDocuments(join(K8S, 'secret.template.yaml'))[0] as {
      stringData: Record<string, string>;
    };
    const fake = Object.fromEntries(
      Object.keys(secret.stringData).map((k) => [k, k.endsWith('HASHES') ? 'ab' : 'x']),
    );
    expect(loadConfigFromEnv({ ...fake, APP_ID: '1' }).github.webhookSecret).toBe('x');
  });
});

// A cross-check of our renderer against kubectl (scripts/setup.sh installs it); the checks above
// never depend on it.
describeIf(missingCommand('kubectl'), 'renderer agrees with kubectl kustomize', () => {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  it.each(['base', ...ENVIRONMENTS])('%s', (env) => {
    const dir = env === 'base' ? join(K8S, 'base') : join(K8S, 'overlays', env);
    const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 30_000 });
    const theirs = parseAllDocuments(out).map((d) => canonical(d.toJS()));
    const key = (o: unknown) => `${(o as K8sObject).kind}/${(o as K8sObject).metadata.name}`;
    const sort = (xs: unknown[]) => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    expect(sort(rendered.get(env)!.map(canonical))).toEqual(sort(theirs));
  });
});
