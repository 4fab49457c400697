/**
 * Refused triggers on a public repository (issue 14): anyone can comment, so each sender gets at most
 * one refusal reply per repository an hour; the rest are silence, a log line and a metric.
 */
import { afterEach, expect, it } from 'vitest';
import { describeIf, missingCommand } from '../support/prereq.ts';
import { type AppHarness, startAppHarness } from './harness.ts';

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describeIf(missingCommand('git'), 'refusal replies', () => {
  it('one reply per sender and repository an hour, whatever they send; counted in /metrics', async () => {
    h = await startAppHarness([]);
    for (const body of [
      '/conjecture fix',
      '/conjecture fix now',
      '/conjecture help',
      '/conjecture frobnicate',
    ])
      expect((await h.hook('issue_comment', h.comment('reader', body))).status).toBe(200);
    await h.hook('issues', h.labeled('triager'));
    await h.hook('issue_comment', h.comment('triager', '/conjecture fix'));
    await h.app.idle();

    expect(await h.app.dispatcher.all()).toHaveLength(0);
    const replies = h.comments();
    expect(replies).toHaveLength(2);
    expect(replies[0]).toMatch(/@\W?reader needs write access/u);
    expect(replies[1]).toMatch(/@\W?triager needs write access/u);
    const metrics = await (await fetch(`${h.app.url}/metrics`)).text();
    expect(metrics).toMatch(/conjecture_refusal_replies_total\{outcome="sent"\} 2\n/);
    expect(metrics).toMatch(/conjecture_refusal_replies_total\{outcome="silenced"\} 4\n/);
    // A writer is still answered.
    await h.hook('issue_comment', h.comment('maintainer', '/conjecture help'));
    await h.app.idle();
    expect(h.comments()).toHaveLength(3);
    expect(h.comments()[2]).toContain('Conjecture commands');
    expect(h.standin.problems).toEqual([]);
  });
});
