export type { Dispatcher, IssueKey } from './dispatcher.ts';
export { createGitHubEventHandler, type EventDeps, HELP } from './events.ts';
export {
  type GitHubJobDeps,
  type GitHubJobSpec,
  type GitHubRun,
  type GitHubRunOutcome,
  runGitHubJob,
} from './github-job.ts';
export { createConjectureApp, GITHUB_EVENT_KIND, type IntakeOutcome, type StoredEvent } from './intake.ts';
export {
  createQueueDispatcher,
  GITHUB_JOB_KIND,
  type QueueDispatcher,
  specOf,
} from './queue-dispatcher.ts';
export { type Decision, decide, type EventFacts } from './triggers.ts';
