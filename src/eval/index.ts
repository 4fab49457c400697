export type { AdapterName, StatusMap, TestAdapter, TestStatus } from './adapters/index.ts';
export { ADAPTERS, inferAdapter, mapToIds } from './adapters/index.ts';
export {
  type AgentRunnerOptions,
  createAgentInstanceRunner,
  expandImage,
  type InstanceRunner,
  instanceConfig,
} from './agent-instance.ts';
export {
  EVAL_JOB_KIND,
  type EvalRunSettings,
  encodeOutcome,
  enqueueInstance,
  evalJobPayloadSchema,
  evalQueueSettings,
  evalRunSettingsSchema,
} from './eval-queue.ts';
export {
  type ExportOptions,
  type ExportResult,
  exportSubmission,
  SPLITS,
  type Split,
} from './export/submission.ts';
export { TRAJECTORY_FORMAT, type Trajectory, toTrajectory } from './export/trajectory.ts';
export {
  gradeTests,
  type InstanceReport,
  instanceReport,
  type ResolutionStatus,
  resolutionStatus,
  type TestsStatus,
} from './grading.ts';
export { runAsFromUser } from './host-run.ts';
export {
  InstanceFileError,
  loadInstances,
  parseInstances,
  type SwebenchInstance,
  selectInstances,
} from './instances.ts';
export {
  type EvalResult,
  type EvalStatus,
  type Prediction,
  parsePredictions,
  readPredictions,
  readResults,
  writePredictions,
} from './predictions.ts';
export {
  type RunEvaluationOptions,
  type RunEvent,
  type RunReport,
  runEvaluation,
  type StartEvalWorker,
} from './run.ts';
export { applyRunEvent, createRunTally, formatRunProgress } from './run-progress.ts';
export {
  type InstanceOutcome,
  openRunStore,
  PREDS_FILE,
  RESULTS_FILE,
  type RunResultLine,
  type RunStore,
  readRunResults,
} from './run-store.ts';
export { goldPredictions, type ScoreOptions, scoreInstances } from './score.ts';
export { openScoreStore, patchDigest, SCORE_RESULTS_FILE, type ScoreStore } from './score-store.ts';
export { createSetupContext, type SetupContext } from './setup.ts';
export { REPO_SPECS, type RepoSpec, specFor, testFiles } from './specs.ts';
export { collectRunStamp, type RunStamp, runStampSchema } from './stamp.ts';
export type { EvalSummary } from './summary.ts';
