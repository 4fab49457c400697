import { describe, expect, it } from 'vitest';
import { readReportedUsage } from '../../src/model/reported-usage.ts';

describe('readReportedUsage', () => {
  it('older llama.cpp builds send timings.prompt_n only: the rest of the prompt came from the cache', () => {
    expect(
      readReportedUsage({ prompt_tokens: 500, completion_tokens: 3 }, { prompt_n: 120, predicted_n: 3 }),
    ).toEqual({ promptTokens: 500, completionTokens: 3, cachedPromptTokens: 380 });
  });

  it('prompt_tokens_details wins over timings; a cached figure above the prompt is clamped', () => {
    expect(
      readReportedUsage(
        { prompt_tokens: 100, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 400 } },
        { cache_n: 7 },
      ),
    ).toEqual({ promptTokens: 100, completionTokens: 1, cachedPromptTokens: 100 });
  });

  it('hostile or missing shapes: no usage, or no cached figure', () => {
    expect(readReportedUsage(undefined)).toBeUndefined();
    expect(readReportedUsage({ prompt_tokens: -1, completion_tokens: 2 })).toBeUndefined();
    expect(
      readReportedUsage(
        { prompt_tokens: 5, completion_tokens: 2, prompt_tokens_details: null },
        { cache_n: 'x' },
      ),
    ).toEqual({ promptTokens: 5, completionTokens: 2 });
  });
});
