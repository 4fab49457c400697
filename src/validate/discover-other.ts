/** Python (pytest, tox), Go, Cargo and Makefile repositories. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiscoveredTestCommand } from './types.ts';

function read(repoDir: string, file: string): string | null {
  const path = join(repoDir, file);
  if (!existsSync(path)) return null;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

const PYTEST_TEST_FILE = /^(test_.*|.*_test)\.py$/;

function hasPythonTests(dir: string): boolean {
  if (!existsSync(dir)) return false;
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((f) =>
      PYTEST_TEST_FILE.test(f.split('/').pop() ?? ''),
    );
  } catch {
    return false;
  }
}

/** Which file says "this project uses pytest", or null. */
function pytestMarker(repoDir: string): string | null {
  if (read(repoDir, 'pytest.ini') !== null) return 'pytest.ini';
  if (/^\[tool\.pytest/m.test(read(repoDir, 'pyproject.toml') ?? '')) return 'pyproject.toml';
  if (/^\[tool:pytest\]/m.test(read(repoDir, 'setup.cfg') ?? '')) return 'setup.cfg';
  if (/^\[pytest\]/m.test(read(repoDir, 'tox.ini') ?? '')) return 'tox.ini';
  if (existsSync(join(repoDir, 'conftest.py'))) return 'conftest.py';
  for (const dir of ['tests', 'test']) if (hasPythonTests(join(repoDir, dir))) return `${dir}/`;
  return null;
}

/**
 * pytest before tox: tox builds fresh virtualenvs, which needs the network the test phase does not
 * have, while pytest runs against what the setup phase installed.
 */
export function discoverPython(repoDir: string): DiscoveredTestCommand | null {
  const marker = pytestMarker(repoDir);
  if (marker) return { command: 'python3 -m pytest', runner: 'pytest', source: marker, appendable: true };
  if (/^\[(tox|testenv)/m.test(read(repoDir, 'tox.ini') ?? ''))
    return { command: 'tox', runner: 'tox', source: 'tox.ini', appendable: false };
  return null;
}

export function discoverGo(repoDir: string): DiscoveredTestCommand | null {
  if (!existsSync(join(repoDir, 'go.mod'))) return null;
  return { command: 'go test ./...', runner: 'go', source: 'go.mod', appendable: true };
}

export function discoverCargo(repoDir: string): DiscoveredTestCommand | null {
  if (!existsSync(join(repoDir, 'Cargo.toml'))) return null;
  return { command: 'cargo test', runner: 'cargo', source: 'Cargo.toml', appendable: false };
}

export function discoverMake(repoDir: string): DiscoveredTestCommand | null {
  for (const file of ['Makefile', 'makefile', 'GNUmakefile']) {
    const text = read(repoDir, file);
    if (text !== null && /^test\s*:(?!=)/m.test(text))
      return { command: 'make test', runner: 'make', source: file, appendable: false };
  }
  return null;
}

export { read as readRepoFile };
