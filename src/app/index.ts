export type { Dispatcher, IssueKey } from './dispatcher.ts';
export { createGitHubEventHandler, type EventDeps, HELP } from './events.ts';
export {
  type GitHubJobDeps,
  type GitHubRun,
  type GitHubRunOutcome,
  runGitHubJob,
} from './github-job.ts';
export { type GitHubJobSpec, githubJobSpecSchema, specOf } from './github-job-spec.ts';
export { createConjectureApp, GITHUB_EVENT_KIND, type IntakeOutcome } from './intake.ts';
export { createQueueDispatcher, GITHUB_JOB_KIND, type QueueDispatcher } from './queue-dispatcher.ts';
export { type StoredEvent, storedEventSchema } from './stored-event.ts';
export {
  type ActionableDecision,
  actionableDecisionSchema,
  type Decision,
  decide,
  type EventFacts,
  eventFactsSchema,
} from './triggers.ts';
