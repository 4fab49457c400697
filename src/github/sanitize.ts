/**
 * Issue and comment text is untrusted input that reaches the model. Hidden markup is stripped here
 * so what the model reads is what a maintainer sees on the page (THREATS.md #7). This is never the
 * only control: the sandbox holds no secrets and has no network whatever the text says.
 */

// Zero-width, bidi controls, and other invisible format characters (Unicode category Cf, plus
// the tag block used for "ASCII smuggling").
const INVISIBLE =
  /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDC7F]/g;
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
// Bounded repetitions that stop at the next opener: unbounded ones made `![![![…`, `<img <img …`
// (nothing closing) quadratic, seconds for one 64 KB comment (test/security/fuzz-untrusted-text.test.ts).
const MD_IMAGE = /!\[((?:[^\][]|\[[^\][]{0,200}\]){0,1000})\]\(([^()\s]{0,2048})(?:\s+"[^"]{0,1000}")?\)/g;
const HTML_IMG = /<img\b[^<>]{0,4000}>/gi;
const HIDDEN_HTML = /<(details|summary)\b[^<>]{0,4000}>|<\/(details|summary)>/gi;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export interface SanitizeOptions {
  /** Maximum characters kept; the rest is cut with a note. */
  maxChars?: number;
}

export function sanitizeUntrustedText(text: string, options: SanitizeOptions = {}): string {
  const maxChars = options.maxChars ?? 20_000;
  let out = text.normalize('NFC');
  out = out.replace(HTML_COMMENT, '');
  out = out.replace(MD_IMAGE, (_m, _alt: string, url: string) => `![image](${url})`);
  out = out.replace(HTML_IMG, (tag) => {
    const src = /\bsrc\s*=\s*"([^"]*)"/i.exec(tag)?.[1];
    return src ? `![image](${src})` : '';
  });
  out = out.replace(HIDDEN_HTML, '');
  out = out.replace(INVISIBLE, '');
  out = out.replace(CONTROL, '');
  out = out.replace(/\r\n?/g, '\n').replace(/\n{4,}/g, '\n\n\n');
  if (out.length > maxChars) out = `${out.slice(0, maxChars)}\n[... ${out.length - maxChars} characters cut]`;
  return out.trim();
}
