/** Validation with the repository's own tests: discover, set up, run, compare, report. */
export { COMMAND_FAILED, COMMAND_TIMED_OUT, compareRuns } from './compare.ts';
export {
  findInstalledDependencies,
  type InstalledDependencies,
  movedDependencies,
  NO_DEPENDENCIES,
} from './dependencies.ts';
export { type DiscoverOptions, discoverTestCommand } from './discover.ts';
export { formatEvidence } from './evidence.ts';
export { capText, stripAnsi } from './excerpt.ts';
export { FEEDBACK_MAX_CHARS, formatFeedback } from './feedback.ts';
export { parseResults } from './parsers/index.ts';
export { type PlanOptions, planTestRun } from './plan.ts';
export {
  dependencyEnv,
  moveVenvOut,
  NO_PYTHON_DEBRIS,
  PYTHON_ENV_MOUNT,
  type PythonEnv,
  pythonEnvDir,
} from './python-env.ts';
export { type RunTestsOptions, runTests } from './run.ts';
export { type DiscoverSetupOptions, discoverSetupCommand, runSetup, type SetupRun } from './setup.ts';
export type * from './types.ts';
export { STATE_DIR } from './workspace-env.ts';
