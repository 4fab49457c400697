export { type RenderOptions, renderTraceMarkdown } from './markdown.ts';
export { fence, inert, inertHtml } from './markdown-text.ts';
export { createRedactor, findSecrets, REDACTED, type Redactor, redact, type SecretMatch } from './redact.ts';
export { createTraceWriter, parseTrace, readTrace, type TraceWriter } from './writer.ts';
