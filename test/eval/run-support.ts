/** Fake instances and a fake `InstanceRunner` for the `eval run` unit tests (no Docker, no model). */
import type { InstanceRunner } from '../../src/eval/agent-instance.ts';
import { parseInstances, type SwebenchInstance } from '../../src/eval/instances.ts';
import type { InstanceOutcome } from '../../src/eval/run-store.ts';

export function fakeInstances(n: number): SwebenchInstance[] {
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      instance_id: `owner__repo-${i + 1}`,
      repo: 'owner/repo',
      base_commit: 'abcdef1',
      problem_statement: `Bug ${i + 1}\nsomething is wrong`,
      FAIL_TO_PASS: ['t'],
    }),
  );
  return parseInstances(lines.join('\n'), 'fake.jsonl');
}

export function fakeOutcome(id: string, label = 'fake-model'): InstanceOutcome {
  const patch = `diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-old ${id}\n+new ${id}\n`;
  return {
    line: {
      instance_id: id,
      model_name_or_path: label,
      exit_status: 'submitted',
      outcome: 'unvalidated',
      steps: 3,
      model_calls: 4,
      prompt_tokens: 1000,
      completion_tokens: 100,
      cost_usd: 0.01,
      duration_ms: 5,
      format_errors: 1,
      patch_bytes: Buffer.byteLength(patch),
      patch_lines: 2,
      finished_at: '2026-01-01T00:00:00.000Z',
    },
    patch,
    trace: `{"type":"start","taskId":"${id}"}\n{"type":"format_error","step":1}\n`,
  };
}

export interface FakeRunner {
  runner: InstanceRunner;
  /** Instance ids in the order the runner was started on them. */
  calls: string[];
}

/** `crash` ids throw; `hang` ids wait for the abort signal and return a cancelled outcome. */
export function fakeRunner(opts: { crash?: string[]; hang?: string[]; onStart?: (id: string) => void } = {}) {
  const calls: string[] = [];
  const runner: InstanceRunner = async (instance, { signal }) => {
    const id = instance.instance_id;
    calls.push(id);
    opts.onStart?.(id);
    if (opts.crash?.includes(id)) throw new Error(`docker went away while running ${id}`);
    if (opts.hang?.includes(id)) {
      await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
      const out = fakeOutcome(id);
      return { ...out, line: { ...out.line, exit_status: 'cancelled' } };
    }
    await new Promise((r) => setTimeout(r, 5));
    return fakeOutcome(id);
  };
  return { runner, calls } satisfies FakeRunner;
}
