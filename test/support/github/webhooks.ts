/**
 * Real webhook payloads from `@octokit/webhooks-examples`, pointed at a stand-in repository, and
 * signed like GitHub signs them.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

// biome-ignore lint/suspicious/noExplicitAny: example payloads are free-form JSON
type WebhookPayload = Record<string, any>;

interface Example {
  name: string;
  examples: WebhookPayload[];
}

const require = createRequire(import.meta.url);
const EXAMPLES = require('@octokit/webhooks-examples') as Example[];

export function examplePayload(event: string, action: string): WebhookPayload {
  const found = EXAMPLES.find((e) => e.name === event)?.examples.find((x) => x.action === action);
  if (!found) throw new Error(`no example for ${event}.${action}`);
  return structuredClone(found);
}

export interface Target {
  owner: string;
  repo: string;
  cloneUrl: string;
  issueNumber: number;
  installationId?: number;
  /** The issue as the stand-in holds it; GitHub's payload carries its title and body at that moment. */
  issue?: { title: string; body: string };
}

export function pointAt(
  payload: WebhookPayload,
  t: Target,
  sender: { login: string; type?: string },
): WebhookPayload {
  payload.repository.name = t.repo;
  payload.repository.full_name = `${t.owner}/${t.repo}`;
  payload.repository.owner.login = t.owner;
  payload.repository.clone_url = t.cloneUrl;
  payload.repository.default_branch = 'main';
  if (payload.issue) {
    payload.issue.number = t.issueNumber;
    delete payload.issue.pull_request;
    if (t.issue) {
      payload.issue.title = t.issue.title;
      payload.issue.body = t.issue.body;
    }
  }
  payload.sender = { ...payload.sender, login: sender.login, type: sender.type ?? 'User' };
  payload.installation = { id: t.installationId ?? 1, node_id: 'I_1' };
  return payload;
}

export function sign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function sendWebhook(
  url: string,
  event: string,
  payload: unknown,
  options: { secret?: string; deliveryId?: string; signature?: string | null },
): Promise<Response> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': options.deliveryId ?? randomUUID(),
    'user-agent': 'GitHub-Hookshot/test',
  };
  const signature = options.signature === undefined ? sign(body, options.secret ?? '') : options.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return fetch(url, { method: 'POST', headers, body });
}
