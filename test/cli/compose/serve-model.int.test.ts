/**
 * `conjecture serve --serve-model`: the app server lends its model — here the tiny GGUF loaded
 * in-process — to other machines' workers as an OpenAI-compatible endpoint under /v1/, next to the
 * webhooks and the REST API, behind the API's bearer tokens.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, startAppServer } from '../../../src/cli/compose/index.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { silentLogger } from '../../../src/core/log.ts';
import type { EmbeddedModel } from '../../../src/model/embedded/embedded-model.ts';
import { createOpenAIModel } from '../../../src/model/index.ts';
import { createSandboxProvider } from '../../../src/sandbox/index.ts';
import { createWorkspaceCache } from '../../../src/workspace/index.ts';
import { loadTinyModel, tinyModelFile } from '../../support/gguf-model.ts';

const TOKEN = 'serve-model-test-token';
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const dir = mkdtempSync(join(tmpdir(), 'serve-model-'));
const logger = silentLogger();
const configWith = (env: Record<string, string>) =>
  loadConfig({
    env: { APP_ID: '1', PRIVATE_KEY: privateKey, WEBHOOK_SECRET: 's', ...env },
  }).config;
const start = (model: EmbeddedModel, env: Record<string, string>, host = '127.0.0.1') => {
  const config = configWith(env);
  return startAppServer({
    config,
    logger,
    model,
    sandboxes: createSandboxProvider(config, logger),
    workspace: createWorkspaceCache({ cacheDir: join(dir, 'cache'), logger }),
    stateDir: join(dir, 'state'),
    worker: false,
    serveModel: true,
    port: 0,
    host,
  });
};

let model: EmbeddedModel;
let app: AppServer;

describe('serve --serve-model', () => {
  beforeAll(async () => {
    model = await loadTinyModel(tinyModelFile().path, { maxTokens: 24 });
    const hash = createHash('sha256').update(TOKEN).digest('hex');
    app = await start(model, { CONJECTURE_SERVER_API_TOKEN_HASHES: JSON.stringify([hash]) });
  });
  afterAll(async () => {
    await app?.close();
    await model?.dispose();
  });

  it('answers chat completions for a worker that holds the token, streamed and not', async () => {
    const remote = createOpenAIModel(
      configWith({ CONJECTURE_MODEL_BASE_URL: `${app.url}/v1`, CONJECTURE_MODEL_NAME: 'tiny' }).model,
      { logger },
    );
    const asWorker = createOpenAIModel(
      {
        ...configWith({ CONJECTURE_MODEL_BASE_URL: `${app.url}/v1`, CONJECTURE_MODEL_NAME: 'tiny' }).model,
        apiKey: TOKEN,
        maxTokens: 24,
      },
      { logger },
    );
    const reply = await asWorker.complete([{ role: 'user', content: 'list the files' }]);
    expect(reply.usage.completionTokens).toBeGreaterThan(0);
    expect(reply.usage.estimated).toBe(false);
    await expect(remote.complete([{ role: 'user', content: 'hi' }])).rejects.toThrow(/401|token|auth/i);
    const models = await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const listed = (await models.json()) as { data: { id: string }[] };
    expect(listed.data[0]!.id).toBe('tiny');
    // The app's own routes are unaffected.
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('refuses to serve the model beyond loopback without tokens', async () => {
    await expect(start(model, {}, '0.0.0.0')).rejects.toThrow(/needs a bearer token/);
  });
});
