export { createDispatcher, type DispatchedJob, type Dispatcher } from './dispatcher.ts';
export { type GitHubJobDeps, type GitHubJobSpec, runGitHubJob } from './github-job.ts';
export { createConjectureApp } from './handlers.ts';
export { type AppServer, startAppServer, WEBHOOK_PATH } from './server.ts';
export { type Decision, decide, type EventFacts } from './triggers.ts';
