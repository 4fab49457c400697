/**
 * `conjecture doctor` as a real process against stand-ins on loopback (a fake Docker Engine on a
 * unix socket, a fake model server on 127.0.0.1), plus one run against the real Docker daemon.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../../src/model/scripted-server.ts';
import { describeIf, missingDocker } from '../support/prereq.ts';
import { closedPortUrl, type Running, startFakeDocker, startFakeModelServer } from './fake-endpoints.ts';
import { runCli, STACK_FRAME, tempDir } from './run-cli.ts';

const IMAGE = 'conjecture-sandbox:0.1.0';
const MODEL = 'granite4:tiny-h';

describe('conjecture doctor (stand-ins)', () => {
  let docker: Running & { socket: string };
  let models: Running & { baseUrl: string };
  const stateDir = tempDir('conjecture-state-');
  const env = (extra: Record<string, string>) => ({
    CONJECTURE_SANDBOX_DOCKER_SOCKET: docker.socket,
    CONJECTURE_MODEL_BASE_URL: models.baseUrl,
    CONJECTURE_STATE_DIR: stateDir,
    ...extra,
  });

  beforeAll(async () => {
    docker = await startFakeDocker([IMAGE]);
    models = await startFakeModelServer([MODEL, 'other:latest']);
  });
  afterAll(async () => {
    await docker.close();
    await models.close();
  });

  it('passes when Docker, the image and the model are there', async () => {
    const run = await runCli(['doctor'], { env: env({}) });
    expect(run.stdout).toContain(`✔ sandbox image ${IMAGE} present`);
    expect(run.stdout).toContain(`✔ model ${MODEL} is served`);
    // Root with loop devices here: the per-job workspace limit can be made (THREATS.md #30).
    if (process.getuid?.() === 0) expect(run.stdout).toContain('✔ /workspace is limited to 4096 MB');
    else expect(run.stdout).toContain('no size limit on /workspace');
    expect(run.stdout).toContain('all required checks passed');
    expect(run.code).toBe(0);
  });

  it('an App that pushes into the base repository (pushMode branch) gets a warning; fork mode does not', async () => {
    const branch = await runCli(['doctor'], { env: env({ APP_ID: '1' }) });
    expect(branch.stdout).toContain(
      '⚠ github.pushMode is branch: the app pushes conjecture/* into each repository',
    );
    expect(branch.stdout).toContain("branches-ignore: ['conjecture/**']");
    expect(branch.code).toBe(0);
    const fork = await runCli(['doctor'], {
      env: env({ APP_ID: '1', CONJECTURE_GITHUB_PUSH_MODE: 'fork', CONJECTURE_GITHUB_FORK_OWNER: 'bots' }),
    });
    expect(fork.stdout).not.toContain('github.pushMode is branch');
    expect(fork.code).toBe(0);
    const unowned = await runCli(['doctor'], { env: env({ CONJECTURE_GITHUB_PUSH_MODE: 'fork' }) });
    expect(unowned.code).not.toBe(0);
    expect(`${unowned.stdout}${unowned.stderr}`).toContain('github.pushMode fork needs github.forkOwner');
    expect(unowned.stderr).not.toMatch(STACK_FRAME);
  });

  it('a missing image: says which image and how to build it', async () => {
    const run = await runCli(['doctor', '--json'], {
      env: env({ CONJECTURE_SANDBOX_IMAGE: 'conjecture-sandbox:9.9.9' }),
    });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      checks: { id: string; status: string; message: string; fix?: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'image')).toMatchObject({
      status: 'fail',
      message: 'sandbox image conjecture-sandbox:9.9.9 is not in Docker',
      fix: expect.stringContaining('scripts/build-sandbox-image.sh --tag conjecture-sandbox:9.9.9'),
    });
  });

  it('Docker not running: one clear message, non-zero exit, no stack', async () => {
    const socket = `${tempDir()}/no-such-docker.sock`;
    const run = await runCli(['doctor'], { env: env({ CONJECTURE_SANDBOX_DOCKER_SOCKET: socket }) });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `✖ Docker is not reachable at ${socket} (ENOENT)\n    fix: start the Docker daemon`,
    );
    expect(run.stdout).toContain(`– sandbox image ${IMAGE}: skipped: Docker at ${socket} failed`);
    expect(run.stdout).toContain('1 required check failed');
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME);
  });

  it('model endpoint down: names the URL and the fix', async () => {
    const url = await closedPortUrl();
    const run = await runCli(['doctor'], { env: env({ CONJECTURE_MODEL_BASE_URL: url }) });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(`✖ .*${url.replace(/[.:/]/g, '\\$&')}.*\\n    fix: .*start the model server`),
    );
    expect(run.stdout).toContain(`– model ${MODEL}: skipped`);
  });

  it('endpoint up but model missing: names `ollama pull <model>`', async () => {
    const run = await runCli(['doctor'], { env: env({ CONJECTURE_MODEL_NAME: 'granite4:micro' }) });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`✔ model endpoint ${models.baseUrl} answers (2 models)`);
    expect(run.stdout).toMatch(
      /✖ model "granite4:micro" is not served .*\n {4}fix: ollama pull granite4:micro/,
    );
  });
});

describe('conjecture doctor: the context the model server really serves', () => {
  let docker: Running & { socket: string };
  let ollama: ScriptedServer;
  beforeAll(async () => {
    docker = await startFakeDocker([IMAGE]);
    ollama = await startScriptedServer({
      turns: [],
      modelName: MODEL,
      flavour: 'ollama',
      contextLength: 4096,
    });
  });
  afterAll(async () => {
    await docker.close();
    await ollama.close();
  });
  const env = (extra: Record<string, string> = {}) => ({
    CONJECTURE_SANDBOX_DOCKER_SOCKET: docker.socket,
    CONJECTURE_MODEL_BASE_URL: ollama.url,
    CONJECTURE_STATE_DIR: tempDir('conjecture-state-'),
    ...extra,
  });

  it("warns against an Ollama serving 4096 tokens, with Ollama's own fix", async () => {
    const run = await runCli(['doctor', '--json'], { env: env() });
    const report = JSON.parse(run.stdout) as {
      checks: { id: string; status: string; message: string; fix?: string }[];
    };
    expect(report.checks.find((c) => c.id === 'model-context')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining(
        'Ollama serves granite4:tiny-h with a 4096-token context (GET /api/ps)',
      ),
      fix: expect.stringContaining('OLLAMA_CONTEXT_LENGTH=32768 ollama serve'),
    });
    // A warning, not a failure: the model is there and answers.
    expect(run.code).toBe(0);
    // Doctor only looks; it never loads a model to find out.
    expect(ollama.otherRequests).not.toContain('POST /api/generate');
  });

  it('an explicit model.contextWindow above the server’s is named in the warning', async () => {
    const run = await runCli(['doctor'], { env: env({ CONJECTURE_MODEL_CONTEXT_WINDOW: '16384' }) });
    expect(run.stdout).toContain('model.contextWindow is 16384');
    expect(run.stdout).toContain('OLLAMA_CONTEXT_LENGTH=16384 ollama serve');
  });
});

describeIf(missingDocker(), 'conjecture doctor (real Docker)', () => {
  it('names a missing image on the real daemon', async () => {
    const run = await runCli(['doctor', '--timeout-ms', '3000'], {
      env: {
        CONJECTURE_SANDBOX_IMAGE: 'conjecture-sandbox:0.0.0-missing',
        CONJECTURE_MODEL_BASE_URL: await closedPortUrl(),
      },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✔ Docker daemon reachable at /var/run/docker.sock');
    expect(run.stdout).toContain('✖ sandbox image conjecture-sandbox:0.0.0-missing is not in Docker');
  });
});
