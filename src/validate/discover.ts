/**
 * Finds how a repository runs its own tests (issue 3, item 3). First match wins, in this order:
 * the configured override, package.json, pytest/tox, go.mod, Cargo.toml, a Makefile `test:` target,
 * and last a CI workflow step. Returns null when the repository names no tests anywhere.
 */
import { classifyCommand, isPackageTestCommand } from './classify.ts';
import { discoverCi } from './discover-ci.ts';
import { discoverNode } from './discover-node.ts';
import { discoverCargo, discoverGo, discoverMake, discoverPython } from './discover-other.ts';
import type { DiscoveredTestCommand } from './types.ts';

export interface DiscoverOptions {
  /** `validate.testCommand` from the effective configuration (which includes .github/conjecture.yml). */
  override?: string;
}

const DISCOVERERS = [discoverNode, discoverPython, discoverGo, discoverCargo, discoverMake, discoverCi];

export function discoverTestCommand(
  repoDir: string,
  options: DiscoverOptions = {},
): DiscoveredTestCommand | null {
  const override = options.override?.trim();
  if (override) return describeOverride(repoDir, override);
  for (const discover of DISCOVERERS) {
    const found = discover(repoDir);
    if (found) return found;
  }
  return null;
}

/** An override is run exactly as written; we still learn its runner so results can be read per test. */
function describeOverride(repoDir: string, command: string): DiscoveredTestCommand {
  if (isPackageTestCommand(command)) {
    const node = discoverNode(repoDir);
    if (node && command.split(/\s+/)[0] === node.packageManager)
      return { ...node, command, source: 'config' };
    return { command, runner: 'unknown', source: 'config', appendable: false };
  }
  return { command, ...classifyCommand(command), source: 'config' };
}
