/**
 * Paths in git's diff headers, the way git writes them: a name with a byte git finds unusual (a
 * non-ASCII letter, `"`, `\`, a control character) is C-quoted — `"a/d\303\251ploy.yml"` — and
 * anything else is written raw, spaces included (THREATS.md #28). `git apply` reads them so; so
 * must the patch policy, or a quoted path slips past it.
 */

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/**
 * Reads one C-quoted name starting at `text[start] === '"'`; returns the decoded name and the index
 * after its closing quote, or null when the quoting is malformed.
 */
export function readQuoted(text: string, start: number): { name: string; end: number } | null {
  const bytes: number[] = [];
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return { name: Buffer.from(bytes).toString('utf8'), end: i + 1 };
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = text[++i];
    if (next === undefined) return null;
    if (next in ESCAPES) bytes.push(ESCAPES[next]!);
    else if (/[0-3]/.test(next) && /^[0-7]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i, i + 3), 8));
      i += 2;
    } else return null;
  }
  return null;
}

/** A name on a header line of its own (`rename from X`, `--- a/X`): quoted, or the rest of the line. */
export function decodeName(raw: string): string | null {
  if (!raw.startsWith('"')) return raw;
  const quoted = readQuoted(raw, 0);
  return quoted && quoted.end === raw.length ? quoted.name : null;
}

/** `--- a/X` / `+++ b/X` without the prefix; null for `/dev/null` (an added or deleted side). */
export function sideName(raw: string, prefix: 'a/' | 'b/'): string | null | undefined {
  const name = decodeName(raw.replace(/\t$/, ''));
  if (name === null) return undefined;
  if (name === '/dev/null') return null;
  return name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
}

/**
 * The two names of `diff --git <a> <b>` (prefixes removed). Unquoted names may hold spaces, so
 * two raw names are split the way git does it: they are equal unless the header is a rename's,
 * whose `rename from/to` lines carry the names anyway.
 */
export function headerNames(rest: string): { a: string; b: string } | null {
  let a: string;
  let after: string;
  if (rest.startsWith('"')) {
    const q = readQuoted(rest, 0);
    if (!q || rest[q.end] !== ' ') return null;
    a = q.name;
    after = rest.slice(q.end + 1);
  } else if (rest.endsWith('"')) {
    const open = rest.lastIndexOf(' "');
    if (open < 0) return null;
    a = rest.slice(0, open);
    after = rest.slice(open + 1);
  } else {
    // Both raw: "a/X b/X" — the halves are the same length.
    const n = (rest.length - 1) / 2;
    if (!Number.isInteger(n) || rest[n] !== ' ') return null;
    a = rest.slice(0, n);
    after = rest.slice(n + 1);
  }
  const b = decodeName(after);
  if (b === null || !a.startsWith('a/') || !b.startsWith('b/')) return null;
  return { a: a.slice(2), b: b.slice(2) };
}
