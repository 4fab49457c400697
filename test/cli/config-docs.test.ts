import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeType, renderConfigDocs, repoSettablePaths, settingDocs } from '../../src/cli/config-docs.ts';
import { settingLeaves } from '../../src/config/env.ts';

describe('docs/configuration.md', () => {
  it('is up to date with the schema (regenerate: node scripts/gen-config-docs.ts)', () => {
    const committed = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderConfigDocs());
  });

  it('documents every setting with its env var, type and a description', () => {
    const docs = settingDocs();
    expect(docs.map((d) => d.path)).toEqual(settingLeaves().map((l) => l.path.join('.')));
    const undocumented = docs.filter((d) => d.description === '').map((d) => d.path);
    // Describe new settings in schema.ts (.describe) or src/config/descriptions.ts.
    expect(undocumented).toEqual([]);
    expect(docs.find((d) => d.path === 'sandbox.memoryMb')).toEqual({
      path: 'sandbox.memoryMb',
      env: 'CONJECTURE_SANDBOX_MEMORY_MB',
      type: 'integer > 0',
      default: '`4096`',
      description: 'memory limit of the container',
    });
  });

  it('lists what a repository may set, and not secrets or network', () => {
    const paths = repoSettablePaths();
    expect(paths).toContain('validate.testCommand');
    expect(paths).toContain('sandbox.image');
    expect(paths).not.toContain('sandbox.network');
    expect(paths).not.toContain('model.apiKey');
    expect(paths).not.toContain('model.baseUrl');
  });

  it('renders JSON Schema types readably', () => {
    expect(describeType({ type: 'number', minimum: 0, maximum: 2 })).toBe('number 0–2');
    expect(describeType({ type: 'integer', exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER })).toBe(
      'integer > 0',
    );
    expect(describeType({ type: 'string', enum: ['a', 'b'] })).toBe('one of `a`, `b`');
    expect(describeType({ type: 'array', items: { type: 'string' } })).toBe('list of strings');
  });
});
