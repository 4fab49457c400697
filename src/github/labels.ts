/**
 * The run's state as an issue label (issue 4, item 3), so maintainers can filter issues by it. Exactly
 * one of the three is on the issue at a time; the trigger label is left alone, since removing it would
 * read as a new trigger to someone re-adding it.
 */
import type { GitHubClient } from './octokit.ts';
import { httpStatus } from './octokit.ts';

export type RunLabelState = 'in-progress' | 'done' | 'failed';

export const RUN_LABELS: Record<RunLabelState, string> = {
  'in-progress': 'conjecture:in-progress',
  done: 'conjecture:done',
  failed: 'conjecture:failed',
};

export async function setRunLabel(
  octokit: GitHubClient,
  options: { owner: string; repo: string; issueNumber: number; state: RunLabelState },
): Promise<void> {
  const { owner, repo, issueNumber } = options;
  const wanted = RUN_LABELS[options.state];
  // Adding returns the issue's labels afterwards, which tells us which stale ones to remove.
  const { data } = await octokit.rest.issues.addLabels({
    owner,
    repo,
    issue_number: issueNumber,
    labels: [wanted],
  });
  const stale = data
    .map((l) => l.name)
    .filter((name) => name !== wanted && (Object.values(RUN_LABELS) as string[]).includes(name));
  for (const name of stale) {
    try {
      await octokit.rest.issues.removeLabel({ owner, repo, issue_number: issueNumber, name });
    } catch (err) {
      // Someone removed it meanwhile; the goal state holds.
      if (httpStatus(err) !== 404) throw err;
    }
  }
}
