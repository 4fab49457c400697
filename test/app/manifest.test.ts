import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const manifest = parse(readFileSync(join(import.meta.dirname, '..', '..', 'app.yml'), 'utf8'));

describe('app.yml', () => {
  it('asks for the minimum permissions and never for workflows, actions, administration, secrets or members', () => {
    expect(manifest.default_permissions).toEqual({
      metadata: 'read',
      issues: 'write',
      pull_requests: 'write',
      contents: 'write',
      checks: 'write',
    });
    for (const never of ['workflows', 'actions', 'administration', 'secrets', 'members'])
      expect(manifest.default_permissions[never]).toBeUndefined();
  });

  it('subscribes to the events the handlers use', () => {
    expect(manifest.default_events).toEqual(['issues', 'issue_comment', 'pull_request_review_comment']);
  });
});
