// The composition root of `serve` and `worker`: the only place that builds queues, servers and
// runtimes and registers job handlers (docs/architecture.md).
export { type AppServer, type AppServerDeps, startAppServer } from './app-server.ts';
export { createGitHubRunner, type RunnerDeps } from './github-runner.ts';
export { openRunnerParts } from './runner-parts.ts';
export { startEvalWorker, startGitHubWorker } from './worker.ts';
