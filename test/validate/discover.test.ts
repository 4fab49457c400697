import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverSetupCommand, discoverTestCommand } from '../../src/validate/index.ts';

const repo = (name: string) => join(import.meta.dirname, '../fixtures/validate/repos', name);

describe('discoverTestCommand', () => {
  it.each([
    [
      'node-jest',
      {
        command: 'npm test',
        runner: 'jest',
        source: 'package.json',
        appendable: true,
        packageManager: 'npm',
      },
    ],
    ['node-vitest', { command: 'pnpm test', runner: 'vitest', appendable: true, packageManager: 'pnpm' }],
    ['node-mocha', { command: 'yarn test', runner: 'mocha', appendable: true, packageManager: 'yarn' }],
    ['node-test', { command: 'npm test', runner: 'node-test', appendable: true }],
    // `npm run build && jest --ci`: the runner is known, but appended flags would not reach it alone.
    ['node-wrapped', { command: 'npm test', runner: 'jest', appendable: false }],
    ['python-pytest', { command: 'python3 -m pytest', runner: 'pytest', source: 'pyproject.toml' }],
    ['python-tests-dir', { command: 'python3 -m pytest', runner: 'pytest', source: 'tests/' }],
    ['python-tox', { command: 'tox', runner: 'tox', source: 'tox.ini' }],
    ['go-mod', { command: 'go test ./...', runner: 'go', source: 'go.mod', appendable: true }],
    ['cargo', { command: 'cargo test', runner: 'cargo', source: 'Cargo.toml' }],
    ['make', { command: 'make test', runner: 'make', source: 'Makefile', appendable: false }],
    [
      'workflow-only',
      {
        command: 'python -m pytest -q tests',
        runner: 'pytest',
        source: '.github/workflows/ci.yml',
        appendable: true,
      },
    ],
  ])('%s', (name, expected) => {
    expect(discoverTestCommand(repo(name))).toMatchObject(expected);
  });

  it("skips npm's default 'no test specified' script and finds nothing else", () => {
    expect(discoverTestCommand(repo('node-default'))).toBeNull();
  });

  it('prefers the configured override and still learns its runner', () => {
    expect(discoverTestCommand(repo('make'), { override: 'npx vitest run --project unit' })).toEqual({
      command: 'npx vitest run --project unit',
      runner: 'vitest',
      source: 'config',
      appendable: true,
    });
    // An override of `npm test` takes the runner from the script it names.
    expect(discoverTestCommand(repo('node-jest'), { override: 'npm test' })).toMatchObject({
      runner: 'jest',
      source: 'config',
      appendable: true,
    });
    expect(discoverTestCommand(repo('node-jest'), { override: 'pytest && ./lint.sh' })).toMatchObject({
      runner: 'pytest',
      appendable: false,
    });
  });

  it('prefers package.json over a Makefile in the same repository', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cj-discover-'));
    writeFileSync(join(dir, 'Makefile'), 'test:\n\tnpm test\n');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { test: 'mocha' } }));
    expect(discoverTestCommand(dir)).toMatchObject({ command: 'npm test', runner: 'mocha' });
  });

  it('returns null for an empty directory and ignores a Makefile without a test target', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cj-discover-'));
    expect(discoverTestCommand(dir)).toBeNull();
    writeFileSync(join(dir, 'Makefile'), 'TEST := x\nbuild:\n\tcc main.c\n');
    expect(discoverTestCommand(dir)).toBeNull();
  });

  it('skips workflow lines that use Actions expressions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cj-discover-'));
    mkdirSync(join(dir, '.github/workflows'), { recursive: true });
    writeFileSync(
      join(dir, '.github/workflows/a.yml'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an Actions expression, not a JS template
      'jobs:\n  t:\n    steps:\n      - run: npm test -- --shard=${{ matrix.shard }}\n      - run: go test ./pkg/...\n',
    );
    expect(discoverTestCommand(dir)).toMatchObject({ command: 'go test ./pkg/...', runner: 'go' });
  });
});

describe('discoverSetupCommand', () => {
  it('uses the lockfile with lifecycle scripts off', () => {
    expect(discoverSetupCommand(repo('node-jest'))).toEqual({
      command: 'npm ci --ignore-scripts --no-audit --no-fund',
      source: 'package-lock.json',
    });
    expect(discoverSetupCommand(repo('node-vitest'))?.command).toBe(
      'pnpm install --frozen-lockfile --ignore-scripts',
    );
    expect(discoverSetupCommand(repo('node-mocha'))?.command).toBe(
      'yarn install --frozen-lockfile --ignore-scripts',
    );
    expect(discoverSetupCommand(repo('node-wrapped'))?.command).toBe(
      'npm install --ignore-scripts --no-audit --no-fund',
    );
  });

  it('installs python requirements and the project into a virtualenv, relocated for its read-only mount', () => {
    const setup = discoverSetupCommand(repo('python-pytest'));
    expect(setup?.command).toBe(
      'python3 -m venv --system-site-packages .conjecture/venv && .conjecture/venv/bin/python -m pip install --disable-pip-version-check -r requirements.txt -e . pytest && for f in .conjecture/venv/bin/*; do [ -f "$f" ] && [ ! -L "$f" ] || continue; sed -i "s|$PWD/.conjecture/venv/|/opt/conjecture/venv/|g" "$f"; done',
    );
    expect(setup?.source).toBe('requirements.txt, pyproject.toml');
  });

  it('has nothing to install for a dependency-free package, and honours the override', () => {
    expect(discoverSetupCommand(repo('node-test'))).toBeNull();
    expect(discoverSetupCommand(repo('go-mod'))?.command).toBe('go mod download');
    expect(discoverSetupCommand(repo('node-test'), { override: 'make deps' })).toEqual({
      command: 'make deps',
      source: 'config',
    });
  });
});
