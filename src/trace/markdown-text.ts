/**
 * Making untrusted text (model output, command output) safe to embed in a GitHub PR body. GitHub
 * turns `@name` into a notification, `#12`/`GH-12` into a reference (and `Fixes #12` closes it on
 * merge), `![x](url)` into an image fetched by every reader, and URLs into links. Its mention and
 * reference filters run on the *rendered* text, so Markdown backslash escapes alone do not help:
 * a zero-width space after `@` and `#` does (the same trick Renovate uses).
 */

const ZWSP = '\u200B';

// ANSI escape sequences, other control characters (tab and newline are kept) and bidirectional
// overrides, which can make displayed text differ from what it is ("Trojan Source").
const CONTROL = /\u001b\[[0-?]*[ -/]*[@-~]|[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

/** Line endings normalised and control characters removed: what a terminal would have shown. */
export function plain(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL, '');
}

/** A fenced code block whose fence is longer than any backtick run inside, so nothing escapes it. */
export function fence(text: string, lang = ''): string {
  const body = plain(text).replace(/\n$/, '');
  let longest = 0;
  for (const m of body.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}${lang.replace(/[^\w-]/g, '')}\n${body}\n${ticks}`;
}

/** Breaks mentions, issue references and autolinks with a zero-width space. */
function defuse(text: string): string {
  return text
    .replaceAll('@', `@${ZWSP}`)
    .replaceAll('#', `#${ZWSP}`)
    .replace(/\bGH-(?=\d)/gi, (m) => `${m.slice(0, 2)}${ZWSP}-`)
    .replaceAll('://', `:${ZWSP}//`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`);
}

/** Plain text that renders as itself: no mentions, references, links, images, HTML or math. */
export function inert(text: string): string {
  const escaped = plain(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]!|~$]/g, (c) => `\\${c}`)
    // Line-leading list, heading-underline and numbered-list markers.
    .replace(/^([ \t]*)([-+=])/gm, '$1\\$2')
    .replace(/^([ \t]*\d+)([.)])/gm, '$1\\$2');
  // Two trailing spaces keep the author's line breaks without starting a new paragraph.
  return defuse(escaped).replace(/\n/g, '  \n');
}

/** Text for raw HTML (a `<summary>` line): escaped, and still defused for the mention filters. */
export function inertHtml(text: string): string {
  return defuse(
    plain(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
  );
}

/** One line, at most `max` characters. */
export function oneLine(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${cut(line, max - 1)}…` : line;
}

/** Head and tail of a long text with a note of what was left out in between. */
export function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = `\n[… ${text.length - max} characters elided …]\n`;
  const room = Math.max(0, max - note.length);
  const head = Math.ceil(room * 0.6);
  const tail = room - head;
  return cut(text, head) + note + (tail > 0 ? tailOf(text, tail) : '');
}

/** A prefix that does not split a surrogate pair. */
function cut(text: string, n: number): string {
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

function tailOf(text: string, n: number): string {
  const start = text.length - n;
  const code = text.charCodeAt(start);
  return text.slice(code >= 0xdc00 && code <= 0xdfff ? start + 1 : start);
}
