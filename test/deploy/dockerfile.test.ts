/**
 * The app image's Dockerfile, read instruction by instruction (building it needs a base image and
 * the network, and is done by the image job in CI and by the Docker integration test).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFromEnv } from '../support/config-env.ts';

const ROOT = join(import.meta.dirname, '..', '..');

interface Instruction {
  op: string;
  args: string;
}
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

const all = instructions(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const lastFrom = all.map((i) => i.op).lastIndexOf('FROM');
const runtime = all.slice(lastFrom);
const get = (op: string, from = runtime) => from.filter((i) => i.op === op).map((i) => i.args);

describe('Dockerfile', () => {
  it('is multi-stage on node:24-bookworm-slim, overridable by a local stand-in', () => {
    expect(all[0]).toEqual({ op: 'ARG', args: 'NODE_IMAGE=node:24-bookworm-slim' });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variables, not JS templates
    expect(get('FROM', all)).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE} AS runtime']);
    expect(get('COPY').filter((a) => a.startsWith('--from=build')).length).toBeGreaterThan(0);
  });

  it('runs as uid 1000 (the sandbox user) under tini, `serve` by default, with a /healthz check', () => {
    expect(get('USER')).toEqual(['node']);
    expect(get('ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--", "node", "/app/bin/conjecture.js"]']);
    expect(get('CMD')).toEqual(['["serve"]']);
    expect(get('STOPSIGNAL')).toEqual(['SIGTERM']);
    const [health] = get('HEALTHCHECK');
    expect(health).toMatch(/^--interval=\S+ --timeout=\S+ .*CMD \["node", "-e", ".*\/healthz/);
    expect(get('RUN').join(' ')).toMatch(/apt-get install .*\bgit\b.*\btini\b/);
  });

  it('labels the image with its version and source', () => {
    const labels = get('LABEL').join(' ');
    for (const key of ['title', 'version', 'revision', 'source', 'licenses'])
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
  });

  it('copies only files that exist and are not excluded by .dockerignore', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter(Boolean);
    const sources = get('COPY', all)
      .filter((a) => !a.startsWith('--from'))
      .flatMap((a) => a.split(/\s+/).slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(['package-lock.json', 'src', 'bin', 'prompts']));
    for (const s of sources) {
      expect(existsSync(join(ROOT, s)), s).toBe(true);
      expect(ignored, s).not.toContain(s);
    }
    expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', '.env']));
  });

  it('sets only settings the config loader accepts', () => {
    const env = Object.fromEntries(
      get('ENV')
        .join(' ')
        .split(/\s+/)
        .map((kv) => kv.split('=') as [string, string]),
    );
    const config = loadConfigFromEnv(env);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.stateDir).toBe('/var/lib/conjecture');
  });
});
