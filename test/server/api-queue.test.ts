import { describe, expect, it } from 'vitest';
import { enqueueRequestSchema } from '../../src/jobs/types.ts';
import { repoSlug, toEnqueueRequest } from '../../src/server/api-queue.ts';
import { HttpError } from '../../src/server/http-io.ts';
import { createJobRequestSchema } from '../../src/server/schemas.ts';

describe('API requests become queue requests', () => {
  it('produces what the queue itself accepts, for every accepted repo form', () => {
    for (const repo of [
      'octo/demo',
      'https://github.com/octo/demo.git',
      'http://127.0.0.1:9/git/octo/demo/',
    ]) {
      const request = createJobRequestSchema.parse({
        repo,
        issue: { url: 'https://github.com/octo/demo/issues/4' },
        priority: -10,
        options: { attempts: 2 },
      });
      const parsed = enqueueRequestSchema.parse(toEnqueueRequest(request, { maxAttempts: 3 }));
      expect(parsed).toMatchObject({ kind: 'fix', repo: 'octo/demo', priority: -10, maxAttempts: 3 });
      expect(parsed.payload).toMatchObject({ source: 'api', remote: repo, options: { attempts: 2 } });
    }
  });

  it('namespaces idempotency keys so API callers cannot collide with webhook deliveries', () => {
    const request = createJobRequestSchema.parse({
      repo: 'o/r',
      issue: { number: 1 },
      idempotencyKey: 'delivery-123',
    });
    expect(toEnqueueRequest(request, { maxAttempts: 1 }).idempotencyKey).toBe('api:delivery-123');
  });

  it('refuses a clone URL with no OWNER/NAME in it', () => {
    expect(() => repoSlug('https://example.invalid/')).toThrow(HttpError);
    expect(repoSlug('https://h/a/b/c/owner/name')).toBe('owner/name');
  });
});
