/**
 * `conjecture fix` on a Python project whose tests need packages from an index: the setup phase
 * installs them (through the egress proxy, from a PEP 503 index on loopback that the test builds)
 * into a virtualenv that then leaves the checkout; the agent and the tests run offline with it
 * mounted read-only. Baseline fails on the bug, the scripted fix validates, and the patch holds the
 * fix only: no environment, cache or bytecode.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import {
  type ScriptedServer,
  type ScriptedTurn,
  startScriptedServer,
} from '../../src/model/scripted-server.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';
import { FIX_DISCOUNT, makePricingRepo, PRICING_ISSUE, PRICING_WHEELS } from '../support/pricing-repo.ts';
import { type PackageIndex, startPackageIndex } from '../support/pypi-index.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'conjecture.js');
const bash = (thought: string, command: string): ScriptedTurn => ({
  content: `${thought}\n\`\`\`bash\n${command}\n\`\`\``,
});

let server: ScriptedServer | undefined;
let index: PackageIndex | undefined;
afterEach(async () => {
  await server?.close();
  await index?.close();
  server = undefined;
  index = undefined;
});

describeIf(missingDocker(), 'conjecture fix on a Python project with dependencies from an index', () => {
  it('installs into an environment outside the checkout, validates the fix with pytest, patches only the fix', {
    timeout: 10 * 60_000,
  }, async () => {
    index = await startPackageIndex(PRICING_WHEELS);
    server = await startScriptedServer({
      turns: [
        bash(
          'Where is the environment?',
          'command -v python3; echo "VENV=$VIRTUAL_ENV"; test -e .conjecture/venv || echo NO-VENV-IN-TREE',
        ),
        bash(
          'Can the environment be changed?',
          'touch /opt/conjecture/venv/bin/planted 2>&1 || echo ENV-IS-READ-ONLY',
        ),
        bash('Reproduce.', 'python3 -m pytest -q 2>&1 | tail -3'),
        bash('Subtract the discount.', FIX_DISCOUNT),
        bash('Verify.', 'python3 -m pytest -q 2>&1 | tail -3'),
        bash('Done.', 'echo CONJECTURE_SUBMIT'),
      ],
    });
    const repo = makePricingRepo();
    const out = mkdtempSync(join(tmpdir(), 'fix-py-out-'));
    const child = spawn(
      process.execPath,
      [
        BIN,
        'fix',
        '--repo',
        repo,
        '--issue',
        PRICING_ISSUE,
        '--base-url',
        server.url,
        '--out',
        out,
        '--json',
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: mkdtempSync(join(tmpdir(), 'fix-py-home-')),
          CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE,
          CONJECTURE_SANDBOX_PIP_INDEX_URL: index.url,
          CONJECTURE_SANDBOX_SETUP_ALLOW: index.hostPort,
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout).outcome).toBe('validated');
    // Both packages came from the index, during setup only.
    expect([...index.downloads].sort()).toEqual([
      'tinyassert-0.3-py3-none-any.whl',
      'tinymath-1.0-py3-none-any.whl',
    ]);

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.testCommand).toBe('python3 -m pytest');
    const trace = readFileSync(join(out, 'trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const observations = trace.filter((e) => e.type === 'step').map((e) => JSON.stringify(e));
    expect(observations[0]).toContain('/opt/conjecture/venv/bin/python3');
    expect(observations[0]).toContain('VENV=/opt/conjecture/venv');
    expect(observations[0]).toContain('NO-VENV-IN-TREE');
    expect(observations[1]).toContain('ENV-IS-READ-ONLY');
    expect(observations[2]).toMatch(/1 failed, 1 passed/);
    const baseline = trace.find((e) => e.type === 'validation' && e.phase === 'baseline');
    expect(baseline).toMatchObject({ passed: false });
    expect(JSON.stringify(baseline)).toMatch(/1 failed|failed.*1/);
    expect(trace.at(-1)).toMatchObject({ type: 'validation', phase: 'after', passed: true });

    const patch = readFileSync(join(out, 'patch.diff'), 'utf8');
    expect(patch).toContain('+    return price - percent(price, pct)');
    expect(patch.match(/^diff --git .*$/gm)).toEqual([
      'diff --git a/pricing/__init__.py b/pricing/__init__.py',
    ]);
    expect(existsSync(join(repo, '.conjecture'))).toBe(false);
  });
});
