import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonSetup, testExtra, testGroups } from '../../src/validate/setup-python.ts';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'setup-python-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const PYPROJECT = `[build-system]
requires = ["setuptools"]

[project]
name = "calc"
dependencies = ["tinydep>=1"]

[project.optional-dependencies]
docs = ["sphinx"]
test = ["pytest"]

[dependency-groups]
lint = ["ruff"]
dev = [{include-group = "lint"}, "coverage"]
tests = ["pytest-timeout"]

[tool.pytest.ini_options]
addopts = "-q"
`;

describe('the Python setup step', () => {
  it('installs the project with its test extra, every requirements file and the test groups', () => {
    const dir = project({
      'pyproject.toml': PYPROJECT,
      'requirements.txt': 'tinydep\n',
      'requirements-dev.txt': 'pytest\n',
      'dev-requirements.txt': 'mock\n',
      'notes.txt': 'not requirements\n',
    });
    const setup = pythonSetup(dir);
    expect(setup?.command).toContain(
      "pip install --disable-pip-version-check -r requirements.txt -r dev-requirements.txt -r requirements-dev.txt -e '.[test]' pytest",
    );
    expect(setup?.command).toContain("' tests dev > .conjecture/venv/groups.txt");
    expect(setup?.command).toMatch(/sed -i .*\/opt\/conjecture\/venv\/.*done$/);
    expect(setup?.source).toBe(
      'requirements.txt, dev-requirements.txt, requirements-dev.txt, pyproject.toml, pyproject.toml [dependency-groups] tests, dev',
    );
  });

  it('finds test extras in setup.cfg and setup.py, and none where there is none', () => {
    expect(testExtra(project({ 'setup.cfg': '[options.extras_require]\ntesting =\n  pytest\n' }))).toBe(
      'testing',
    );
    expect(testExtra(project({ 'setup.py': "setup(extras_require={'tests': ['pytest']})" }))).toBe('tests');
    expect(
      testExtra(project({ 'pyproject.toml': '[project]\nname = "x"\n[tool.x]\ntest = 1\n' })),
    ).toBeNull();
    expect(testGroups(project({ 'pyproject.toml': '[project]\nname = "x"\n' }))).toEqual([]);
  });

  it('installs only requirements when the directory is not an installable project', () => {
    const setup = pythonSetup(
      project({ 'requirements.txt': 'tinydep\n', 'pyproject.toml': '[tool.ruff]\n' }),
    );
    expect(setup?.command).toContain('pip install --disable-pip-version-check -r requirements.txt &&');
    expect(setup?.command).not.toContain('-e .');
    expect(pythonSetup(project({ 'README.md': '# hi' }))).toBeNull();
  });
});
