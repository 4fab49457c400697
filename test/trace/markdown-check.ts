/**
 * A conservative reading of rendered Markdown the way GitHub would split it: fenced code blocks
 * (CommonMark rules) versus the text outside them, where mentions, references, links, images and
 * HTML would become active. Used to assert the renderer never lets hostile input escape.
 */

export interface MarkdownScan {
  /** False when a fence was opened and never closed. */
  balanced: boolean;
  fences: number;
  /** Every line outside code blocks (fence lines excluded). */
  outside: string;
}

export function scanMarkdown(md: string): MarkdownScan {
  const outside: string[] = [];
  let open: { char: string; length: number } | null = null;
  let fences = 0;
  // CommonMark treats \r\n, \r and \n all as line endings.
  for (const line of md.split(/\r\n|\r|\n/)) {
    if (open) {
      const close = new RegExp(`^ {0,3}${open.char}{${open.length},}[ \t]*$`);
      if (close.test(line)) open = null;
      continue;
    }
    const start = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (start?.[1] && !(start[1].startsWith('`') && start[2]?.includes('`'))) {
      open = { char: start[1][0] as string, length: start[1].length };
      fences++;
      continue;
    }
    outside.push(line);
  }
  return { balanced: open === null, fences, outside: outside.join('\n') };
}

/** Problems a reader of the PR would see as live markup; empty when the text is inert. */
export function activeMarkup(md: string): string[] {
  const scan = scanMarkdown(md);
  const problems: string[] = [];
  if (!scan.balanced) problems.push('unclosed code fence');
  const lines = scan.outside.split('\n');
  const opens = lines.filter((l) => l === '<details>').length;
  const closes = lines.filter((l) => l === '</details>').length;
  if (opens !== closes) problems.push(`${opens} <details> but ${closes} </details>`);
  const summary = /^<summary>(.*)<\/summary>$/;
  const summaries = lines.flatMap((l) => summary.exec(l)?.[1] ?? []);
  const text = lines.filter((l) => l !== '<details>' && l !== '</details>' && !summary.test(l)).join('\n');
  // Remove backslash escapes of ASCII punctuation, then look for what is left unescaped.
  const raw = text.replace(/\\[!-/:-@[-`{-~]/g, '');
  // A <summary> line is raw HTML: Markdown syntax is inert there, but mentions and links are not.
  const html = summaries.map((s) => s.replace(/<\/?code>/g, '')).join('\n');
  const everywhere: [string, RegExp][] = [
    ['HTML tag or comment', /</],
    ['entity', /&(?!lt;|gt;|amp;|quot;)/],
    ['mention or e-mail', /@[A-Za-z0-9_-]/],
    ['issue reference', /#\d|\bGH-\d/i],
    ['autolink', /:\/\/|\bwww\./i],
  ];
  const markdownOnly: [string, RegExp][] = [
    ['link or image', /[[\]!]/],
    ['inline code', /`/],
    ['math', /\$/],
  ];
  for (const [where, body, checks] of [
    ['text', raw, [...everywhere, ...markdownOnly]],
    ['summary', html, everywhere],
  ] as const) {
    for (const [what, re] of checks) {
      const m = re.exec(body);
      if (m) problems.push(`${where}: ${what}: …${body.slice(Math.max(0, m.index - 30), m.index + 30)}…`);
    }
  }
  return problems;
}
