import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/core/trace.ts';
import { barChart } from '../../../src/server/web/charts.ts';
import { escapeHtml, html, pathSegment, trustedHtml } from '../../../src/server/web/html.ts';
import { renderTraceHtml } from '../../../src/server/web/trace-view.ts';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '`$' + '{alert(1)}`',
  '</pre><script>x()</script>',
  '&lt;already-escaped&gt;',
];

/** No tag can open from the value, and the only quotes left are the template's own. */
function expectInert(out: string) {
  expect(out).not.toContain('<script');
  expect(out).not.toContain('<img');
  expect(out.match(/"/g)?.length).toBe(2);
  expect(out.match(/'/g)?.length).toBe(2);
  expect(out).not.toContain('`');
}

describe('html escaping', () => {
  it('escapes every character that can open a tag or close an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\``)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;',
    );
  });

  it('escapes interpolated values in text and in attributes, arrays included', () => {
    for (const value of HOSTILE) {
      const out = html`<p title="${value}" data-x='${value}'>${value}${[value, value]}</p>`.text;
      expectInert(out);
      // The value is still all there, as text: escaping loses nothing.
      expect(out).toContain(escapeHtml(value));
      expect(out.startsWith('<p title="')).toBe(true);
    }
  });

  it('passes markup it built through once, and drops null, undefined and false', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${null}${undefined}${false}${0}</p>`.text).toBe('<p><b>&lt;i&gt;</b>0</p>');
    expect(html`${trustedHtml('<hr>')}`.text).toBe('<hr>');
  });

  it('does not treat a plain object that looks like markup as markup', () => {
    const forged = { text: '<script>x</script>' };
    expect(html`${forged}`.text).not.toContain('<script>');
  });

  it('percent-encodes ids used in links', () => {
    expect(pathSegment('a/../"b"<c>').text).toBe('a%2F..%2F%22b%22%3Cc%3E');
  });
});

describe('trace and chart rendering with hostile text', () => {
  it('renders each step with thought, command, output and exit code, all escaped', () => {
    const at = '2025-01-01T00:00:00Z';
    const events: TraceEvent[] = [
      { type: 'start', at, taskId: 't', model: '<b>m</b>', attempt: 1 },
      {
        type: 'step',
        at,
        step: 1,
        thought: HOSTILE[0] as string,
        command: HOSTILE[1] as string,
        observation: HOSTILE[4] as string,
        exitCode: 2,
        timedOut: false,
        modelMs: 10,
        execMs: 5,
        usage: { promptTokens: 1, completionTokens: 1, estimated: false },
      },
      { type: 'end', at, exitStatus: 'submitted', detail: HOSTILE[2] as string, patchBytes: 12 },
    ];
    const out = renderTraceHtml(events).text;
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<b>m</b>');
    expect(out).toContain('data-step="1"');
    expect(out).toContain('exit 2');
    expect(out).toContain('$ &quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('&lt;/pre&gt;&lt;script&gt;x()&lt;/script&gt;');
  });

  it('escapes chart titles and labels', () => {
    const out = barChart({
      title: HOSTILE[1] as string,
      points: [{ label: HOSTILE[0] as string, value: 3 }],
      format: String,
    }).text;
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<img');
    expect(out).toContain('<rect');
  });
});
