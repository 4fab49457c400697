/**
 * `--issue` for `conjecture fix`: literal text, `@file`, or a GitHub issue URL. Whatever the source,
 * the text is untrusted and goes through the sanitizer before the model sees it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConjectureError } from '../core/errors.ts';
import type { IssueText } from '../core/task.ts';
import { sanitizeUntrustedText } from './sanitize.ts';

const ISSUE_URL = /^https:\/\/github\.com\/([^/]+)\/([^/]+)\/issues\/(\d+)\/?$/;

export function splitTitle(text: string): IssueText {
  const lines = text.trim().split('\n');
  const first = (lines[0] ?? '').replace(/^#+\s*/, '').trim();
  const rest = lines.slice(1).join('\n').trim();
  return { title: sanitizeUntrustedText(first.slice(0, 200)), body: sanitizeUntrustedText(rest || first) };
}

export async function readIssueInput(
  value: string,
  options: { cwd: string; apiUrl: string; token?: string; fetch?: typeof fetch },
): Promise<IssueText> {
  if (value.startsWith('@')) {
    const path = resolve(options.cwd, value.slice(1));
    try {
      return splitTitle(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ConjectureError(
        `cannot read the issue file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
        { code: 'issue_unreadable', hint: 'pass --issue @path/to/issue.md, or the text itself' },
      );
    }
  }
  const url = ISSUE_URL.exec(value.trim());
  if (!url) return splitTitle(value);
  const [, owner, repo, number] = url;
  const doFetch = options.fetch ?? fetch;
  const api = `${options.apiUrl.replace(/\/$/, '')}/repos/${owner}/${repo}/issues/${number}`;
  let res: Response;
  try {
    res = await doFetch(api, {
      headers: {
        accept: 'application/vnd.github+json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      signal: AbortSignal.timeout(20_000),
    });
  } catch (err) {
    throw new ConjectureError(`cannot reach ${api}: ${(err as Error).message}`, {
      code: 'issue_unreachable',
      retryable: true,
      hint: 'check the network, or pass the issue text with --issue @file',
    });
  }
  if (!res.ok) {
    throw new ConjectureError(`GitHub answered ${res.status} for ${api}`, {
      code: 'issue_unreachable',
      hint:
        res.status === 404
          ? 'check the URL; private repositories need GITHUB_TOKEN'
          : 'try again later, or pass the text with --issue @file',
    });
  }
  const data = (await res.json()) as { title?: string; body?: string | null; html_url?: string };
  return {
    title: sanitizeUntrustedText(data.title ?? ''),
    body: sanitizeUntrustedText(data.body ?? ''),
    number: Number(number),
    url: data.html_url ?? value,
  };
}
