export type { AdapterName, StatusMap, TestAdapter, TestStatus } from './adapters/index.ts';
export { ADAPTERS, inferAdapter, mapToIds } from './adapters/index.ts';
export {
  gradeTests,
  type InstanceReport,
  instanceReport,
  type ResolutionStatus,
  resolutionStatus,
  type TestsStatus,
} from './grading.ts';
export {
  InstanceFileError,
  loadInstances,
  parseInstances,
  type SwebenchInstance,
  selectInstances,
} from './instances.ts';
export {
  appendResult,
  type EvalResult,
  type EvalStatus,
  type Prediction,
  parsePredictions,
  readPredictions,
  readResults,
  writePredictions,
} from './predictions.ts';
export { goldPredictions, type ScoreOptions, scoreInstances } from './score.ts';
export { REPO_SPECS, type RepoSpec, specFor, testFiles } from './specs.ts';
export type { EvalSummary } from './summary.ts';
