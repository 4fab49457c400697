/**
 * Pins part (a) of bench/prefix-cache with the bench's own measuring code: the agent against the
 * scripted OpenAI-compatible endpoint (real HTTP on loopback), 40 steps × 6 KB of output in a
 * 32768-token window, costs a prefix-caching server at most 1.5× the prompt it appends, and loses
 * the cached prefix only a few times; the old policy (elide before every call) is shown failing.
 */
import { describe, expect, it } from 'vitest';
import { charRatio, tokenRatio } from '../../bench/prefix-cache/meter.ts';
import { measureScriptedEpisode } from '../../bench/prefix-cache/scripted-endpoint.ts';

const episode = { steps: 40, outputBytes: 6 * 1024, contextWindow: 32_768 };

describe('bench/prefix-cache (a): scripted endpoint', () => {
  it('evaluates at most 1.5× what it appends, with at most 4 prefix invalidations in 40 steps', async () => {
    const after = await measureScriptedEpisode(episode);
    expect(after.requests).toBe(40);
    expect(charRatio(after)).toBeLessThanOrEqual(1.5);
    expect(tokenRatio(after)).toBeLessThanOrEqual(1.5);
    expect(after.invalidations).toBeGreaterThanOrEqual(1); // the episode does outgrow the window
    expect(after.invalidations).toBeLessThanOrEqual(4);
  });

  it('measures the old policy as the issue found it: a rewrite before nearly every call', async () => {
    const before = await measureScriptedEpisode({ ...episode, compactTo: 1 });
    expect(charRatio(before)).toBeGreaterThan(5);
    expect(before.invalidations).toBeGreaterThanOrEqual(20);
  });
});
