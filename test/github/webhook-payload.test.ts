import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { checkWebhookPayload, HANDLED_DELIVERIES } from '../../src/github/webhook-payload.ts';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: example payloads are free-form JSON
const EXAMPLES = require('@octokit/webhooks-examples') as { name: string; examples: any[] }[];
const examplesOf = (event: string, action: string) =>
  EXAMPLES.find((e) => e.name === event)!.examples.filter((x) => x.action === action);

describe('checkWebhookPayload', () => {
  it('every unmodified example of a handled delivery is handled, or ignored for lack of an installation', () => {
    let handled = 0;
    let ignored = 0;
    for (const name of HANDLED_DELIVERIES) {
      const [event, action] = name.split('.') as [string, string];
      const examples = examplesOf(event, action);
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) {
        const checked = checkWebhookPayload(event, JSON.stringify(example));
        if (example.installation) {
          expect(checked).toMatchObject({
            kind: 'handle',
            payload: { installation: { id: example.installation.id } },
          });
          handled++;
        } else {
          expect(checked).toEqual({ kind: 'ignore', why: expect.stringMatching(/no installation/) });
          ignored++;
        }
      }
    }
    // The examples hold both kinds, so both branches ran.
    expect(handled).toBeGreaterThan(0);
    expect(ignored).toBeGreaterThan(0);
  });

  it('refuses what is not a readable payload, naming the missing fields', () => {
    expect(checkWebhookPayload('issues', '')).toMatchObject({ kind: 'invalid', code: 'empty_body' });
    expect(checkWebhookPayload('issues', '  \n')).toMatchObject({ kind: 'invalid', code: 'empty_body' });
    expect(checkWebhookPayload('issues', 'null')).toMatchObject({ kind: 'invalid', code: 'invalid_payload' });
    expect(checkWebhookPayload('issues', '[1]')).toMatchObject({ kind: 'invalid', code: 'invalid_payload' });
    const truncated = JSON.stringify(examplesOf('issues', 'labeled')[0]).slice(0, 500);
    expect(checkWebhookPayload('issues', truncated)).toMatchObject({ kind: 'invalid', code: 'invalid_json' });
    const bare = checkWebhookPayload('issues', '{"action":"labeled"}');
    expect(bare).toMatchObject({ kind: 'invalid', code: 'invalid_payload' });
    const paths = bare.kind === 'invalid' ? bare.issues?.map((i) => i.path) : [];
    expect(paths).toEqual(expect.arrayContaining(['sender', 'repository', 'issue']));
  });

  it('refuses a handled delivery whose fields have the wrong types', () => {
    const example = structuredClone(examplesOf('issue_comment', 'created').find((x) => x.installation));
    example.issue.number = 'one';
    example.comment = null;
    const checked = checkWebhookPayload('issue_comment', JSON.stringify(example));
    expect(checked).toMatchObject({ kind: 'invalid', code: 'invalid_payload' });
    const paths = checked.kind === 'invalid' ? checked.issues?.map((i) => i.path) : [];
    expect(paths).toEqual(expect.arrayContaining(['issue.number', 'comment']));
  });

  it('passes events and actions the app does not act on, whatever they hold', () => {
    expect(checkWebhookPayload('ping', '{"zen":"Keep it logically awesome."}')).toEqual({ kind: 'pass' });
    expect(checkWebhookPayload('issues', '{"action":"opened"}')).toEqual({ kind: 'pass' });
    expect(checkWebhookPayload('issues', '{}')).toEqual({ kind: 'pass' });
  });
});
