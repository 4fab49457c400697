import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, loadConfig, maskSecrets, parseRepoConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/core/errors.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'conjecture-config-'));
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to Granite 4.0 H Tiny on the local Ollama port', () => {
    const { config } = loadConfig({ env: {}, cwd: tempDir() });
    expect(config.model.name).toBe(DEFAULT_MODEL);
    expect(config.model.baseUrl).toBe('http://127.0.0.1:11434/v1');
    expect(config.sandbox.network).toBe(false);
  });

  it('one precedence: user file < env < flags; the repo file chooses what is open and only lowers limits', () => {
    const dir = tempDir();
    const userFile = join(dir, 'conjecture.config.json');
    writeFileSync(
      userFile,
      JSON.stringify({ model: { name: 'user', temperature: 0.1 }, agent: { stepLimit: 5, attempts: 3 } }),
    );
    mkdirSync(join(dir, '.github'));
    writeFileSync(
      join(dir, '.github', 'conjecture.yml'),
      [
        'model: { name: repo, temperature: 0.3 }',
        'agent: { stepLimit: 6, attempts: 2, actionFormat: tool_call }',
        'validate: { testCommand: make check }',
        '',
      ].join('\n'),
    );
    const { config, sources, pinned, notes } = loadConfig({
      cwd: dir,
      repoDir: dir,
      env: { CONJECTURE_MODEL_TEMPERATURE: '0.2' },
      flags: { 'model.name': 'flag' },
    });
    expect(config.model.name).toBe('flag');
    expect(config.model.temperature).toBe(0.2); // the environment pinned it
    expect(config.agent.stepLimit).toBe(5); // the repo asked for more than the ceiling
    expect(config.agent.attempts).toBe(2); // lowering is fine
    expect(config.agent.actionFormat).toBe('tool_call');
    expect(config.validate.testCommand).toBe('make check');
    expect(pinned).toEqual(['model.temperature', 'model.name']);
    expect(sources).toEqual([userFile, 'environment', 'flags', '.github/conjecture.yml']);
    expect(notes).toEqual([
      'model.temperature from .github/conjecture.yml is not used: the operator set it (environment or flags)',
      "agent.stepLimit: 6 in .github/conjecture.yml is above the operator's limit; using 5",
      'model.name in .github/conjecture.yml is ignored: only the operator sets it',
    ]);
  });

  it('reports a wrong type with its file, path and expected type', () => {
    const dir = tempDir();
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ agent: { stepLimit: 'ten' } }));
    const err = configError(() => loadConfig({ env: {}, userFile: file, cwd: dir }));
    expect(err.issues).toEqual([
      { source: file, path: 'agent.stepLimit', message: expect.stringMatching(/expected number/) },
    ]);
  });

  it('reports unknown keys and unknown CONJECTURE_ variables together', () => {
    const dir = tempDir();
    const file = join(dir, 'c.yml');
    writeFileSync(file, 'model:\n  nmae: x\n');
    const err = configError(() => loadConfig({ env: { CONJECTURE_NOPE: '1' }, userFile: file, cwd: dir }));
    expect(err.message).toContain('model: unknown key "nmae"');
    expect(err.message).toContain('env CONJECTURE_NOPE');
  });

  it('refuses a repo file that tries to turn the network on', () => {
    const err = configError(() => parseRepoConfig('sandbox:\n  network: true\n'));
    expect(err.issues[0]).toMatchObject({ path: 'sandbox', message: 'unknown key "network"' });
  });

  it('needs a reason to give the sandbox network', () => {
    const err = configError(() =>
      loadConfig({ env: { CONJECTURE_SANDBOX_NETWORK: 'true' }, cwd: tempDir() }),
    );
    expect(err.issues[0]?.path).toBe('sandbox.networkReason');
  });

  it('masks secrets', () => {
    const { config } = loadConfig({
      env: { CONJECTURE_MODEL_API_KEY: 'sk-secret', WEBHOOK_SECRET: 'hush' },
      cwd: tempDir(),
    });
    const masked = maskSecrets(config);
    expect(masked.model.apiKey).toBe('***');
    expect(masked.github.webhookSecret).toBe('***');
    expect(config.model.apiKey).toBe('sk-secret');
  });
});
