/**
 * `conjecture model pull|list|rm|serve` through the real CLI: a pull from a loopback HTTP server with
 * progress on stderr, the cache listing and removal, and `model serve` answering the production
 * client with the tiny GGUF loaded in-process.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { modelSchema } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { createOpenAIModel } from '../../../src/model/openai-model.ts';
import { BIN, runCli, STACK_FRAME, tempDir } from '../../cli/run-cli.ts';
import { buildTinyGguf } from '../../support/gguf.ts';
import { tinyModelFile } from '../../support/gguf-model.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('conjecture model', () => {
  it('pulls a URL with progress, lists it, and removes it', async () => {
    const model = buildTinyGguf();
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': model.bytes.length }).end(Buffer.from(model.bytes));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/tiny.gguf`;
    const stateDir = tempDir('model-state-');
    const env = { CONJECTURE_STATE_DIR: stateDir };

    const bad = await runCli(['model', 'pull', url, '--sha256', '00'.repeat(32)], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is corrupt');
    expect(bad.stderr).toContain('partial file was removed');
    expect(bad.stderr).not.toMatch(STACK_FRAME);

    const pulled = await runCli(['model', 'pull', url, '--sha256', model.sha256], { env });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stderr).toMatch(/pulling .*tiny\.gguf/);
    expect(pulled.stdout).toContain(`sha256 ${model.sha256}, verified: pinned`);

    const list = await runCli(['model', 'list', '--json'], { env });
    const listed = JSON.parse(list.stdout) as { models: { file: string; sha256: string }[] };
    expect(listed.models).toEqual([expect.objectContaining({ file: 'tiny.gguf', sha256: model.sha256 })]);

    expect((await runCli(['model', 'rm', 'tiny.gguf'], { env })).code).toBe(0);
    expect(JSON.parse((await runCli(['model', 'list', '--json'], { env })).stdout).models).toEqual([]);
  });

  it('serves the embedded model as an OpenAI-compatible endpoint', async () => {
    const file = tinyModelFile();
    const child = spawn(
      process.execPath,
      [
        BIN,
        'model',
        'serve',
        '--port',
        '0',
        '--json',
        '--set',
        `model.embedded.model=${file.path}`,
        '--set',
        'model.embedded.threads=1',
      ],
      { env: { PATH: process.env.PATH, HOME: tempDir('model-home-') } },
    );
    cleanups.push(() => {
      child.kill('SIGTERM');
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /"url": "([^"]+)"/.exec(stdout);
        if (m?.[1]) resolve(m[1]);
      });
      child.on('close', (code) => reject(new Error(`model serve exited with ${code}`)));
    });
    const client = createOpenAIModel(
      modelSchema.parse({ baseUrl: url, name: 'tiny', stream: true, retries: 0 }),
      {
        logger: silentLogger(),
      },
    );
    const c = await client.complete([{ role: 'user', content: 'hi' }], { maxTokens: 8 });
    expect(c.usage).toMatchObject({ completionTokens: 8, estimated: false });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
  });
});
