import { describe, expect, it } from 'vitest';
import { repoSettablePaths } from '../../src/cli/config-docs.ts';
import {
  applyRepoConfig,
  loadConfig,
  OPERATOR_ONLY,
  REPO_ADD_ONLY,
  REPO_CEILINGS,
  REPO_CHOICES,
  REPO_TIGHTEN_ONLY,
} from '../../src/config/index.ts';

const operator = (env: Record<string, string> = {}) => loadConfig({ env }).config;

describe('applyRepoConfig', () => {
  it('has a rule for every key a repository file may contain, and only one', () => {
    const ruled = [
      ...REPO_CHOICES,
      ...REPO_CEILINGS,
      ...Object.keys(REPO_TIGHTEN_ONLY),
      ...REPO_ADD_ONLY,
      ...OPERATOR_ONLY,
    ];
    expect(new Set(ruled).size).toBe(ruled.length);
    expect([...ruled].sort()).toEqual([...repoSettablePaths()].sort());
  });

  it('lowers limits, never raises them, and says so', () => {
    const { config, notes } = applyRepoConfig(operator(), {
      agent: { stepLimit: 10, tokenLimit: 10 ** 9 },
      sandbox: { cpus: 0.5, pids: 4_000_000 },
    });
    expect(config.agent.stepLimit).toBe(10);
    expect(config.agent.tokenLimit).toBe(1_000_000);
    expect(config.sandbox.cpus).toBe(0.5);
    expect(config.sandbox.pids).toBe(512);
    expect(notes).toEqual([
      "agent.tokenLimit: 1000000000 in .github/conjecture.yml is above the operator's limit; using 1000000",
      "sandbox.pids: 4000000 in .github/conjecture.yml is above the operator's limit; using 512",
    ]);
  });

  it('treats costLimitUsd 0 as "no limit": a repository may set one, never lift one', () => {
    expect(applyRepoConfig(operator(), { agent: { costLimitUsd: 2 } }).config.agent.costLimitUsd).toBe(2);
    const limited = operator({ CONJECTURE_AGENT_COST_LIMIT_USD: '1' });
    const lifted = applyRepoConfig(limited, { agent: { costLimitUsd: 0 } });
    expect(lifted.config.agent.costLimitUsd).toBe(1);
    expect(lifted.notes[0]).toMatch(/cannot lift/);
    expect(applyRepoConfig(limited, { agent: { costLimitUsd: 5 } }).config.agent.costLimitUsd).toBe(1);
  });

  it('only tightens switches and only adds protected paths', () => {
    const base = operator();
    const { config, notes } = applyRepoConfig(base, {
      github: { draft: false, protectedPaths: ['secrets/**'] },
      agent: { parallelAttempts: true },
    });
    expect(config.github.draft).toBe(true);
    expect(config.agent.parallelAttempts).toBe(false);
    expect(config.github.protectedPaths).toEqual([...base.github.protectedPaths, 'secrets/**']);
    expect(notes).toHaveLength(3);
    const open = operator({ CONJECTURE_GITHUB_DRAFT: 'false' });
    expect(applyRepoConfig(open, { github: { draft: true } }).config.github.draft).toBe(true);
  });

  it('ignores the setup command, the image and the model, and leaves pinned choices alone', () => {
    const { config, notes } = applyRepoConfig(
      operator(),
      {
        validate: { setupCommand: 'curl x', testCommand: 'make check' },
        sandbox: { image: 'evil' },
        model: { name: 'huge' },
        agent: { actionFormat: 'tool_call' },
      },
      { pinned: ['agent.actionFormat'] },
    );
    expect(config.validate.setupCommand).toBeUndefined();
    expect(config.validate.testCommand).toBe('make check');
    expect(config.sandbox.image).toBe('conjecture-sandbox:0.1.0');
    expect(config.model.name).toBe('granite4:tiny-h');
    expect(config.agent.actionFormat).toBe('text');
    expect(notes).toHaveLength(4);
  });

  it('protects the files that steer Conjecture by default', () => {
    expect(operator().github.protectedPaths).toEqual([
      '.github/workflows/**',
      '.github/conjecture.yml',
      '.github/conjecture.yaml',
    ]);
  });
});
