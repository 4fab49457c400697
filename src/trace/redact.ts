/**
 * Secret redaction for traces and everything rendered from them (issue 3, item 5). A trace holds
 * whatever the agent printed, so it may contain the model key, the installation token or keys the
 * repository leaked; nothing leaves the host before passing through here.
 *
 * Configured secrets are removed verbatim and in the encodings they commonly appear in (base64 at
 * any byte alignment, e.g. inside a Basic auth header; base64url; URL-encoded; hex; `\u`- and
 * `\x`-escaped), also when whitespace or line breaks split them (`s e c r e t`, `fold -w4`,
 * wrapped base64, `xxd -p`), and inside gzip+base64 blobs (THREATS.md #33). Well-known token
 * shapes are removed whether configured or not. Every pattern is linear (no nested quantifiers), so
 * megabytes of output stay fast.
 */
import { gunzipSync, constants as zlib } from 'node:zlib';

export const REDACTED = '[REDACTED]';

/** Shorter secrets would redact ordinary words; they are ignored. */
const MIN_SECRET_LENGTH = 4;

// An already-redacted value, possibly escaped by the Markdown renderer (`\[REDACTED\]`).
const DONE = String.raw`(?!\\?\[REDACTED\\?\])`;

/** Each pattern's match (or its `value` group, when present) is replaced by [REDACTED]. */
const PATTERNS: { kind: string; re: RegExp }[] = [
  {
    kind: 'private-key',
    // Any key type (RSA, EC, OPENSSH, ENCRYPTED, PGP … BLOCK); a block cut off before its END line
    // (e.g. by an output cap) is redacted to the end of the text.
    re: /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[\s\S]*)/g,
  },
  // GitHub tokens: no fixed length, new-format installation tokens (ghs_) are much longer than 36.
  { kind: 'github-token', re: /gh[pousr]_[A-Za-z0-9_]+/g },
  { kind: 'github-token', re: /github_pat_[A-Za-z0-9_]+/g },
  { kind: 'aws-access-key', re: /(?:AKIA|ASIA)[0-9A-Z]{16}/g },
  {
    kind: 'aws-secret-key',
    re: new RegExp(
      String.raw`aws_secret_access_key["']?\s*[:=]\s*["']?${DONE}(?<value>[A-Za-z0-9/+=]{20,})`,
      'gi',
    ),
  },
  { kind: 'slack-token', re: /xox[abposr]-[A-Za-z0-9-]+/g },
  { kind: 'slack-token', re: /xapp-[0-9]-[A-Za-z0-9-]+/g },
  // `sk-…` API keys (OpenAI, Anthropic …); the look-behind keeps words like `disk-…` and `task-…` intact.
  { kind: 'api-key', re: /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{17,}/g },
  {
    kind: 'authorization-header',
    // The value is an optional scheme (Bearer, token, Basic …) and one credential.
    re: /authorization["']?\s*[:=]\s*["']?(?!(?:[A-Za-z][\w-]*[ \t]+)?\\?\[REDACTED)(?<value>(?:[A-Za-z][\w-]*[ \t]+)?[^\s"'\\,;]+)/gi,
  },
  { kind: 'bearer-token', re: /\bBearer\s+(?<value>[A-Za-z0-9._~+/=-]+)/g },
  // Credentials in URLs: https://x-access-token:TOKEN@host, or any user:password@.
  {
    kind: 'url-credentials',
    re: new RegExp(
      String.raw`(?:(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,30}://[^\s/:@]{0,256}|x-access-token):${DONE}(?<value>[^\s/@]{1,512})(?=@)`,
      'gi',
    ),
  },
];

/** The forms a configured secret may appear in, longest first so longer forms win. */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    // A multi-line secret (a PEM key) leaks line by line as easily as whole (THREATS.md #11).
    for (const line of secret.split(/\r?\n/))
      if (line.trim().length >= 16 && line !== secret) forms.add(line.trim());
    forms.add(encodeURIComponent(secret));
    const bytes = Buffer.from(secret, 'utf8');
    const hex = bytes.toString('hex');
    forms.add(hex);
    forms.add(hex.toUpperCase());
    forms.add(hex.replace(/../g, '\\x$&'));
    for (const upper of [false, true]) {
      const escaped = [...secret]
        .map((c) => (c.codePointAt(0) ?? 0).toString(16).padStart(4, '0'))
        .map((h) => `\\u${upper ? h.toUpperCase() : h}`)
        .join('');
      forms.add(escaped);
    }
    // Base64 at each byte alignment: keep only the characters that depend on the secret alone.
    for (let shift = 0; shift < 3; shift++) {
      const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
      const core = encoded.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6));
      if (core.length < 6) continue;
      forms.add(core);
      forms.add(core.replaceAll('+', '-').replaceAll('/', '_'));
    }
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

export interface Redactor {
  redact(text: string): string;
  /** Which secrets still appear (kind and offset, never the value), e.g. in a rendered PR body. */
  find(text: string): SecretMatch[];
}

export interface SecretMatch {
  kind: string;
  index: number;
}

/** A form split by whitespace or line breaks matches these; short forms would match ordinary text. */
const MIN_SPLIT_FORM = 8;
const MAX_SPLIT_FORM = 512;

/** Each form with optional whitespace between its characters: `s e c r e t`, `fold -w4`, wrapped base64. */
function splitForms(forms: string[]): RegExp[] {
  return forms
    .filter((f) => f.length >= MIN_SPLIT_FORM && f.length <= MAX_SPLIT_FORM && !/\s/.test(f))
    .map(
      (f) =>
        new RegExp([...f].map((c) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join(String.raw`\s*`), 'g'),
    );
}

// A gzip stream in base64 starts with "H4sI" (1f 8b 08); wrapped output continues on the next lines.
const GZIP_BASE64 = /H4sI[A-Za-z0-9+/=]*(?:\r?\n[A-Za-z0-9+/=]+)*/g;
const MAX_GUNZIP_BYTES = 1024 * 1024;

/** The text inside a gzip+base64 blob (what was readable of it), or null when it is not one. */
function gunzipBase64(blob: string): string | null {
  try {
    const bytes = Buffer.from(blob.replace(/\s/g, ''), 'base64');
    return gunzipSync(bytes, { finishFlush: zlib.Z_SYNC_FLUSH, maxOutputLength: MAX_GUNZIP_BYTES }).toString(
      'utf8',
    );
  } catch {
    return null;
  }
}

/** Precomputes the encoded forms of `secrets` once, for redacting many strings. */
export function createRedactor(secrets: readonly string[]): Redactor {
  const forms = secretForms(secrets);
  const split = splitForms(forms);
  const hidesSecret = (blob: string) => {
    const inner = gunzipBase64(blob);
    return inner !== null && plain.find(inner).length > 0;
  };
  const plain = {
    find(text: string): SecretMatch[] {
      const found: SecretMatch[] = [];
      for (const form of forms) {
        const index = text.indexOf(form);
        if (index >= 0) found.push({ kind: 'configured-secret', index });
      }
      for (const re of split)
        for (const m of text.matchAll(re)) found.push({ kind: 'configured-secret', index: m.index });
      for (const { kind, re } of PATTERNS) {
        for (const m of text.matchAll(re)) found.push({ kind, index: m.index });
      }
      return found;
    },
  };
  return {
    redact(text) {
      // split/join is a plain substring search per form: fast, and no regex escaping to get wrong.
      let out = text;
      for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
      for (const re of split) out = out.replace(re, REDACTED);
      out = out.replace(GZIP_BASE64, (blob) => (hidesSecret(blob) ? REDACTED : blob));
      for (const { re } of PATTERNS) {
        out = out.replace(re, (match, ...args) => {
          const groups = args.at(-1) as Record<string, string> | undefined;
          const value = groups?.value;
          if (value === undefined) return REDACTED;
          return match.slice(0, match.length - value.length) + REDACTED;
        });
      }
      return out;
    },
    find(text) {
      const found = plain.find(text);
      for (const m of text.matchAll(GZIP_BASE64))
        if (hidesSecret(m[0])) found.push({ kind: 'compressed-secret', index: m.index });
      return found.sort((a, b) => a.index - b.index);
    },
  };
}

/** `text` with every configured secret (and its encodings) and every known token shape removed. */
export function redact(text: string, secrets: readonly string[] = []): string {
  return createRedactor(secrets).redact(text);
}

/** What still looks like a secret in `text`; callers withhold the text when this is non-empty. */
export function findSecrets(text: string, secrets: readonly string[] = []): SecretMatch[] {
  return createRedactor(secrets).find(text);
}
