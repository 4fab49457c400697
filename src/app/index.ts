export type { Dispatcher, IssueKey } from './dispatcher.ts';
export { createGitHubEventHandler, type EventDeps, HELP } from './events.ts';
export {
  type GitHubJobDeps,
  type GitHubJobSpec,
  type GitHubRun,
  type GitHubRunOutcome,
  runGitHubJob,
} from './github-job.ts';
export { createConjectureApp, GITHUB_EVENT_KIND, type StoredEvent } from './intake.ts';
export {
  createGitHubFixHandler,
  createQueueDispatcher,
  GITHUB_JOB_KIND,
  type QueueDispatcher,
  specOf,
} from './queue-dispatcher.ts';
export {
  type AppServer,
  type AppServerDeps,
  createGitHubRunner,
  type RunnerDeps,
  startAppServer,
  startGitHubWorker,
  WEBHOOK_PATH,
} from './server.ts';
export { type Decision, decide, type EventFacts } from './triggers.ts';
