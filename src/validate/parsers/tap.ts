/**
 * TAP 13/14 (node-tap, ava --tap, node --test's tap reporter). Subtests are indented; a subtest's
 * id is its parents' names joined with " > ". `# SKIP` and `# TODO` points are skipped, not failed
 * (a failing TODO is expected by definition). A top-level plan that promises more points than ran
 * means the run died part-way, which is recorded as a failure of its own.
 */

import { stripAnsi } from '../excerpt.ts';
import type { ParsedResults } from '../types.ts';
import { createResultsBuilder } from './results.ts';

const POINT = /^(\s*)(not ok|ok)(?:\s+(\d+))?(?:\s+-)?(?:\s+(.*))?$/;
const SUBTEST = /^(\s*)# Subtest:\s*(.*)$/;
const PLAN = /^1\.\.(\d+)/;
const DIRECTIVE = /\s+#\s*(SKIP|TODO)\b.*$/i;

export function parseTap(output: string): ParsedResults | null {
  const lines = stripAnsi(output).split(/\r?\n/);
  const start = lines.findIndex((l) => /^TAP version \d+/.test(l.trim()) || POINT.test(l) || PLAN.test(l));
  if (start === -1) return null;
  const results = createResultsBuilder();
  const parents: { indent: number; name: string }[] = [];
  let plan: number | null = null;
  let topLevel = 0;
  let pending: { id: string; indent: number; message: string[] } | null = null;
  const flush = () => {
    if (pending) results.add(pending.id, 'failed', pending.message.join('\n'));
    pending = null;
  };
  let inYaml = false;
  for (const line of lines.slice(start)) {
    // A test point's YAML diagnostics (`---` ... `...`) may hold anything, even "ok" lines.
    if (inYaml) {
      if (line.trim() === '...') inYaml = false;
      else if (pending) pending.message.push(line.trim());
      continue;
    }
    if (line.trim() === '---') {
      inYaml = true;
      continue;
    }
    const sub = SUBTEST.exec(line);
    if (sub) {
      const indent = sub[1]!.length;
      while (parents.length > 0 && parents[parents.length - 1]!.indent >= indent) parents.pop();
      parents.push({ indent, name: sub[2]!.trim() });
      continue;
    }
    const point = POINT.exec(line);
    if (point) {
      flush();
      const indent = point[1]!.length;
      const description = point[4] ?? '';
      const name = description.replace(DIRECTIVE, '').trim() || `test ${point[3] ?? ''}`.trim();
      while (parents.length > 0 && parents[parents.length - 1]!.indent > indent) parents.pop();
      const own = parents[parents.length - 1];
      if (own && own.indent === indent && own.name === name) parents.pop();
      const id = [...parents.map((p) => p.name), name].join(' > ');
      if (indent === 0) topLevel++;
      if (DIRECTIVE.test(description)) results.add(id, 'skipped');
      else if (point[2] === 'ok') results.add(id, 'passed');
      else pending = { id, indent, message: [] };
      continue;
    }
    const planMatch = PLAN.exec(line);
    if (planMatch) plan = Number(planMatch[1]);
    else if (/^\s*Bail out!/.test(line)) results.add('(bail out)', 'failed', line.trim());
    else if (pending && line.startsWith(' '.repeat(pending.indent + 2))) pending.message.push(line.trim());
  }
  flush();
  if (plan !== null && topLevel < plan)
    results.add('(incomplete run)', 'failed', `planned ${plan} tests, ${topLevel} reported`);
  return results.count() > 0 || plan === 0 ? results.build() : null;
}
