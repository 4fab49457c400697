/**
 * Who may start a run. Anyone can comment on a public issue, so the sender's collaborator permission
 * on the repository is checked on every trigger (issue 4, item 2): a run spends compute and pushes a
 * branch as the app. Bots are refused unless the operator allow-lists them, since a bot's comment can
 * quote attacker text and would otherwise let anyone trigger through it.
 */
import { z } from 'zod';
import { type GitHubClient, httpStatus } from './octokit.ts';

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

const RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

export const senderSchema = z.object({
  login: z.string().min(1),
  /** The webhook's `sender.type`: 'User', 'Bot' or 'Organization'. */
  type: z.string(),
});
export type Sender = z.infer<typeof senderSchema>;

export type PermissionDecision =
  | { allowed: true; permission: Permission | 'allow-listed bot' }
  | {
      allowed: false;
      reason: 'bot' | 'insufficient_permission';
      permission: Permission | null;
      /** One short sentence for the reply comment. */
      message: string;
    };

export interface CheckSenderOptions {
  owner: string;
  repo: string;
  sender: Sender;
  minPermission: Exclude<Permission, 'none' | 'read'>;
  /** Bot logins allowed to trigger, with or without the `[bot]` suffix. */
  allowBots?: string[];
}

export function isBot(sender: Sender): boolean {
  return sender.type === 'Bot' || sender.login.endsWith('[bot]');
}

export function hasPermission(actual: Permission, needed: Permission): boolean {
  return RANK[actual] >= RANK[needed];
}

export async function checkSenderPermission(
  octokit: GitHubClient,
  options: CheckSenderOptions,
): Promise<PermissionDecision> {
  const { sender, minPermission } = options;
  if (isBot(sender)) {
    const bare = sender.login.replace(/\[bot\]$/, '');
    const listed = (options.allowBots ?? []).some((b) => b.replace(/\[bot\]$/, '') === bare);
    // A GitHub App is not a collaborator, so there is no permission to rank; the allow-list is the
    // operator's explicit decision to trust it.
    if (listed) return { allowed: true, permission: 'allow-listed bot' };
    return {
      allowed: false,
      reason: 'bot',
      permission: null,
      message: `@${sender.login} is a bot; bots can only trigger Conjecture when the operator allow-lists them (github.allowBots).`,
    };
  }
  const permission = await collaboratorPermission(octokit, options.owner, options.repo, sender.login);
  if (hasPermission(permission, minPermission)) return { allowed: true, permission };
  return {
    allowed: false,
    reason: 'insufficient_permission',
    permission,
    message: `@${sender.login} needs ${minPermission} access to this repository to run Conjecture (has ${permission}).`,
  };
}

/**
 * The sender's role on the repository. `role_name` distinguishes triage and maintain, which the
 * legacy `permission` field folds into read and write; a custom role falls back to the legacy field.
 */
export async function collaboratorPermission(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  username: string,
): Promise<Permission> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
    const role = data.role_name as string;
    if (role in RANK) return role as Permission;
    const legacy = data.permission as string;
    return legacy in RANK ? (legacy as Permission) : 'none';
  } catch (err) {
    // GitHub answers 404 for a user who is not a collaborator of a private repository.
    if (httpStatus(err) === 404) return 'none';
    throw err;
  }
}
