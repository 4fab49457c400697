/**
 * JUnit XML (pytest --junitxml, node --test's junit reporter, jest-junit, Surefire...). A small
 * tokenizer rather than an XML library: we need testcase elements, their attributes, and whether
 * they hold <failure>, <error> or <skipped>; testcases may sit in nested testsuites or directly
 * under <testsuites> (node's reporter does that for top-level tests).
 */
import type { ParsedResults } from '../types.ts';
import { createResultsBuilder, relativePath } from './results.ts';

const TOKEN =
  /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[lower] ?? whole;
  });
}

function attributes(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of raw.matchAll(ATTR)) out[m[1]!] = decodeEntities(m[2] ?? m[3] ?? '');
  return out;
}

interface OpenCase {
  id: string;
  status: 'passed' | 'failed' | 'skipped';
  message: string;
}

function caseId(attrs: Record<string, string>, suites: string[], workdir: string | undefined): string {
  const parts: string[] = [];
  if (attrs.file) parts.push(relativePath(attrs.file, workdir));
  if (attrs.classname) parts.push(attrs.classname);
  else if (suites.length > 0) parts.push(...suites);
  parts.push(attrs.name ?? '(unnamed)');
  return parts.join(' > ');
}

export function parseJunitXml(xml: string, options: { workdir?: string } = {}): ParsedResults | null {
  const results = createResultsBuilder();
  const suites: string[] = [];
  let current: OpenCase | null = null;
  let inFailure = false;
  let sawRoot = false;
  for (const m of xml.matchAll(TOKEN)) {
    const [, cdata, closing, tag, rawAttrs, selfClosing, text] = m;
    if (cdata !== undefined || text !== undefined) {
      if (current && inFailure) current.message += cdata ?? decodeEntities(text ?? '');
      continue;
    }
    if (!tag) continue;
    if (tag === 'testsuites' || tag === 'testsuite') sawRoot = true;
    if (closing) {
      if (tag === 'testsuite') suites.pop();
      else if (tag === 'failure' || tag === 'error') inFailure = false;
      else if (tag === 'testcase' && current) {
        results.add(current.id, current.status, current.message);
        current = null;
      }
      continue;
    }
    const attrs = attributes(rawAttrs ?? '');
    if (tag === 'testsuite' && !selfClosing) suites.push(attrs.name ?? '');
    else if (tag === 'testcase') {
      const opened: OpenCase = {
        id: caseId(attrs, suites.filter(Boolean), options.workdir),
        status: 'passed',
        message: '',
      };
      if (selfClosing) results.add(opened.id, opened.status);
      else current = opened;
    } else if (current && (tag === 'failure' || tag === 'error')) {
      current.status = 'failed';
      current.message += attrs.message ? `${attrs.message}\n` : '';
      inFailure = !selfClosing;
    } else if (current && tag === 'skipped' && current.status !== 'failed') current.status = 'skipped';
  }
  return sawRoot ? results.build() : null;
}
