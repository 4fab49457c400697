import { describe, expect, it } from 'vitest';
import { signatureMatches } from '../../src/github/webhook-signature.ts';

describe('webhook signature', () => {
  // GitHub's published test vector: https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries
  it("verifies GitHub's published test vector", () => {
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signatureMatches(Buffer.from('Hello, World!'), header, "It's a Secret to Everybody")).toBe(true);
  });

  it('rejects a wrong, missing or malformed signature', () => {
    const body = Buffer.from('Hello, World!');
    expect(
      signatureMatches(
        body,
        'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18',
        "It's a Secret to Everybody",
      ),
    ).toBe(false);
    expect(signatureMatches(body, undefined, 'x')).toBe(false);
    expect(signatureMatches(body, 'sha1=abc', 'x')).toBe(false);
    expect(signatureMatches(body, 'sha256=short', 'x')).toBe(false);
  });
});
