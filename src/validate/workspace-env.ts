/**
 * The setup sandbox and the test sandbox share nothing but the mounted repository, so whatever the
 * setup installs lands inside it first. We keep it under one dot-directory that `go test ./...` skips
 * and that patch extraction must leave out (see docs/validation.md, "things that will bite you").
 * A Python virtualenv does not stay there: the host moves it out before the agent starts and mounts
 * it read-only (python-env.ts), so nothing under the workspace is ever on PATH.
 */
import { posix } from 'node:path';

export const STATE_DIR = '.conjecture';
/** Where the setup phase builds a Python project's virtualenv (moved out of the checkout afterwards). */
export const VENV_DIR = `${STATE_DIR}/venv`;

/** Caches for Go and Cargo pointed into the workspace; used by both phases. */
export function cacheEnv(workdir: string): Record<string, string> {
  const state = posix.join(workdir, STATE_DIR);
  return {
    GOPATH: `${state}/go`,
    GOMODCACHE: `${state}/go/pkg/mod`,
    GOCACHE: `${state}/go/cache`,
    CARGO_HOME: `${state}/cargo`,
  };
}

/**
 * Prefix for both phases: the state directory ignores itself (a `.gitignore` of `*` inside it), so
 * patch extraction (`git add --all`) never picks it up and the between-attempts `git clean -fd`
 * keeps what setup installed.
 */
export function inWorkspaceEnv(command: string): string {
  return `mkdir -p ${STATE_DIR} 2>/dev/null && printf '*\\n' > ${STATE_DIR}/.gitignore 2>/dev/null; ${command}`;
}
