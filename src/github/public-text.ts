/**
 * Text the app posts on GitHub is public and partly written by others (the model's summary, test
 * names from the repository, the agent's trace). Before it is posted: secrets are redacted (a trace
 * can echo a token the agent found), `@mentions` are defused so a run cannot page people, and closing
 * keywords (`fixes #12`) are defused so merging the PR cannot close unrelated issues. Only the body's
 * own `Fixes #n` line, written by the app, links an issue.
 */

// A zero-width space: invisible, but GitHub no longer sees a mention or an issue link. A literal
// character rather than `&#8203;`, which would show as text inside code blocks.
const ZWSP = '\u200B';

// Token shapes worth catching even when the caller did not name the secret: GitHub tokens of every
// kind, OpenAI-style keys, bearer headers, PEM private keys.
const TOKEN_PATTERNS: RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bsk-[A-Za-z0-9_-]{20,}\b/g,
  /\b(?:Bearer|token)\s+[A-Za-z0-9._~+/-]{20,}=*/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values would redact ordinary words; config secrets are never that short.
    if (secret.length >= 8) out = out.split(secret).join('[REDACTED]');
  }
  for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, '[REDACTED]');
  return out;
}

export function neutralizeMentions(text: string): string {
  return text.replace(/(^|[^\w`])@([A-Za-z0-9][A-Za-z0-9-]*)/g, `$1@${ZWSP}$2`);
}

const CLOSING = /\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)(:?\s+)((?:[\w.-]+\/[\w.-]+)?#)(\d+)/gi;

export function neutralizeClosingKeywords(text: string): string {
  return text.replace(
    CLOSING,
    (_m, word: string, gap: string, ref: string, n: string) => `${word}${gap}${ref}${ZWSP}${n}`,
  );
}

/** Everything above, for text from the model, the repository or the trace. */
export function publicText(text: string, secrets: readonly string[] = []): string {
  return neutralizeClosingKeywords(neutralizeMentions(redactSecrets(text, secrets)));
}

/**
 * Cuts Markdown to at most `max` characters on a line boundary, closing an open code fence so the
 * rest of the page still renders, and says how much was cut.
 */
export function truncateMarkdown(text: string, max: number, note = 'cut to fit'): string {
  if (text.length <= max) return text;
  const reserve = 80;
  let cut = text.slice(0, Math.max(0, max - reserve));
  const lastNewline = cut.lastIndexOf('\n');
  if (lastNewline > 0) cut = cut.slice(0, lastNewline);
  const fences = cut.split('\n').filter((l) => /^\s*(```|~~~)/.test(l)).length;
  const closing = fences % 2 === 1 ? '\n```' : '';
  return `${cut}${closing}\n\n_[… ${text.length - cut.length} characters ${note}]_`;
}
