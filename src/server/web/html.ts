/**
 * All HTML escaping for the web page happens here. Trace text, issue titles and repository names
 * are untrusted (the model and issue authors wrote them), so every interpolated value is escaped
 * unless it is an `Html` value this module produced. Templates always quote attributes with `"`,
 * and `"`/`'` are escaped too, so a value can break out of neither text nor an attribute.
 */
const brand: unique symbol = Symbol('html');

/** Markup that is already safe to emit. Only `html` and `trustedHtml` make one. */
export interface Html {
  readonly [brand]: true;
  readonly text: string;
}

const make = (text: string): Html => ({ [brand]: true, text });

export function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && brand in value;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isHtml(value)) return value.text;
  return escapeHtml(value);
}

/** A tagged template: the literal parts are trusted markup, every `${value}` is escaped. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return make(out);
}

/** For constant markup written in this codebase (the stylesheet, the inline script); never for data. */
export function trustedHtml(constant: string): Html {
  return make(constant);
}

/** A path segment for links built from ids (`/jobs/${id}`): percent-encoded, then escaped. */
export function pathSegment(value: string): Html {
  return make(escapeHtml(encodeURIComponent(value)));
}
