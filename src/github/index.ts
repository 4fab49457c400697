export { type CommandVerb, type ParsedCommand, type ParseResult, parseCommand } from './commands.ts';
export { readIssueInput, splitTitle } from './issue-input.ts';
export { RUN_LABELS, type RunLabelState, setRunLabel } from './labels.ts';
export { type CreateOctokitOptions, createOctokit, type GitHubClient, httpStatus } from './octokit.ts';
export {
  type CheckSenderOptions,
  checkSenderPermission,
  collaboratorPermission,
  hasPermission,
  isBot,
  type Permission,
  type PermissionDecision,
  type Sender,
} from './permission.ts';
export {
  formatDuration,
  MAX_BODY_CHARS,
  type PullRequestBodyInput,
  type PullRequestContext,
  type PullRequestRun,
  pullRequestBodyOf,
  renderPullRequestBody,
  renderPullRequestTitle,
  runSummary,
} from './pr-body.ts';
export {
  neutralizeClosingKeywords,
  neutralizeMentions,
  publicText,
  redactSecrets,
  truncateMarkdown,
} from './public-text.ts';
export { type SanitizeOptions, sanitizeUntrustedText } from './sanitize.ts';
export { type IssueSnapshot, type SnapshotOptions, snapshotIssue } from './snapshot.ts';
export {
  isTerminal,
  type RunStatus,
  renderStatusComment,
  STATUS_MARKER,
  type StatusCommentInput,
} from './status-comment.ts';
export {
  createStatusReporter,
  findStatusComment,
  type StatusReporter,
  type StatusReporterOptions,
} from './status-reporter.ts';
export { signatureMatches } from './webhook-signature.ts';
