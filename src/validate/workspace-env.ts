/**
 * The setup sandbox and the test sandbox share nothing but the mounted repository, so whatever the
 * setup installs must land inside it. We keep it under one dot-directory that `go test ./...` skips
 * and that patch extraction must leave out (see docs/validation.md, "things that will bite you").
 */
import { posix } from 'node:path';

export const STATE_DIR = '.conjecture';
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
 * keeps what setup installed; and the setup's virtualenv, when there is one, comes first on PATH.
 */
export function inWorkspaceEnv(command: string): string {
  const ignore = `mkdir -p ${STATE_DIR} && printf '*\\n' > ${STATE_DIR}/.gitignore`;
  const venv = `if [ -d ${VENV_DIR}/bin ]; then export VIRTUAL_ENV="$PWD/${VENV_DIR}" PATH="$PWD/${VENV_DIR}/bin:$PATH"; fi`;
  return `${ignore}; ${venv}; ${command}`;
}
