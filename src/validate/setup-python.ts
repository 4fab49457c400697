/**
 * The setup step for a Python project: a virtualenv (seeing the image's own packages) with the
 * project's requirements files, the project itself in editable mode with its test extra, and its
 * PEP 735 dependency groups for tests. Built in the workspace, then relocated to PYTHON_ENV_MOUNT
 * (python-env.ts) so the host can move it out of the checkout. Group requirements are read by
 * Python's own `tomllib` in the sandbox, so any pip version installs them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRepoFile } from './discover-other.ts';
import { RELOCATE_VENV } from './python-env.ts';
import { VENV_DIR } from './workspace-env.ts';

const REQUIREMENTS_FILE = /^(requirements([-_.].*)?|(dev|test|tests)[-_]requirements)\.txt$/;
const TEST_EXTRAS = ['test', 'tests', 'testing'];
const TEST_GROUPS = ['test', 'tests', 'testing', 'dev'];
const PIP = `${VENV_DIR}/bin/python -m pip install --disable-pip-version-check`;

/** requirements.txt first, then the others in name order; never anything outside the root. */
function requirementsFiles(repoDir: string): string[] {
  const names = readdirSync(repoDir).filter((n) => REQUIREMENTS_FILE.test(n));
  return names.sort((a, b) =>
    a === 'requirements.txt' ? -1 : b === 'requirements.txt' ? 1 : a.localeCompare(b),
  );
}

/** The test extra a project declares (pyproject.toml, setup.cfg or setup.py), if any. */
export function testExtra(repoDir: string): string | null {
  const pyproject = tomlSection(
    readRepoFile(repoDir, 'pyproject.toml') ?? '',
    'project.optional-dependencies',
  );
  const setupCfg = iniSection(readRepoFile(repoDir, 'setup.cfg') ?? '', 'options.extras_require');
  const setupPy = readRepoFile(repoDir, 'setup.py') ?? '';
  for (const extra of TEST_EXTRAS) {
    const key = new RegExp(`^\\s*["']?${extra}["']?\\s*=`, 'm');
    if (key.test(pyproject) || key.test(setupCfg)) return extra;
    if (new RegExp(`["']${extra}["']\\s*:`).test(setupPy) && /extras_require/.test(setupPy)) return extra;
  }
  return null;
}

/** The PEP 735 groups to install: the test-ish ones the project defines. */
export function testGroups(repoDir: string): string[] {
  const groups = tomlSection(readRepoFile(repoDir, 'pyproject.toml') ?? '', 'dependency-groups');
  return TEST_GROUPS.filter((g) => new RegExp(`^\\s*["']?${g}["']?\\s*=`, 'm').test(groups));
}

/** The text of a `[name]` table up to the next table header. */
function tomlSection(text: string, name: string): string {
  const start = text.search(new RegExp(`^\\[${name.replaceAll('.', '\\.')}\\]\\s*$`, 'm'));
  if (start < 0) return '';
  const rest = text.slice(start).split('\n').slice(1);
  const end = rest.findIndex((l) => /^\[[^\]]+\]\s*$/.test(l));
  return (end < 0 ? rest : rest.slice(0, end)).join('\n');
}

const iniSection = tomlSection;

// Prints the requirements of the named groups (following include-group), one per line.
const GROUPS_PY = [
  'import sys, tomllib',
  'g = tomllib.load(open("pyproject.toml", "rb")).get("dependency-groups", {})',
  'def walk(n, seen):',
  '    if n in seen: return',
  '    seen.add(n)',
  '    for r in g.get(n, []):',
  '        if isinstance(r, str): print(r)',
  '        elif isinstance(r, dict) and "include-group" in r: walk(r["include-group"], seen)',
  's = set()',
  'for n in sys.argv[1:]: walk(n, s)',
].join('\n');

export function pythonSetup(repoDir: string): { command: string; source: string } | null {
  const files = requirementsFiles(repoDir);
  const project = ['pyproject.toml', 'setup.py', 'setup.cfg'].find((f) => existsSync(join(repoDir, f)));
  const installable =
    project === 'setup.py' ||
    (project !== undefined && existsSync(join(repoDir, 'setup.py'))) ||
    /^\[(project|build-system)\]/m.test(readRepoFile(repoDir, 'pyproject.toml') ?? '');
  const groups = testGroups(repoDir);
  if (files.length === 0 && !installable && groups.length === 0) return null;
  const args = files.map((f) => `-r ${f}`);
  const sources = [...files];
  if (installable && project) {
    const extra = testExtra(repoDir);
    args.push(extra ? `-e '.[${extra}]'` : '-e .');
    sources.push(project);
  }
  // pytest itself is often only in CI config; install it so the offline test phase can run.
  if (
    /pytest/.test(readRepoFile(repoDir, 'pyproject.toml') ?? '') ||
    existsSync(join(repoDir, 'conftest.py'))
  )
    args.push('pytest');
  const steps = [`python3 -m venv --system-site-packages ${VENV_DIR}`];
  if (args.length > 0) steps.push(`${PIP} ${args.join(' ')}`);
  if (groups.length > 0) {
    const list = `${VENV_DIR}/groups.txt`;
    steps.push(`${VENV_DIR}/bin/python -c '${GROUPS_PY}' ${groups.join(' ')} > ${list}`);
    steps.push(`if [ -s ${list} ]; then ${PIP} -r ${list}; fi`);
    sources.push(`pyproject.toml [dependency-groups] ${groups.join(', ')}`);
  }
  steps.push(RELOCATE_VENV);
  return { command: steps.join(' && '), source: sources.join(', ') };
}
