import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/log.ts';
import { loadInstances, type Prediction, scoreInstances } from '../../src/eval/index.ts';
import { createOpenAIModel } from '../../src/model/index.ts';
import { startScriptedServer } from '../../src/model/scripted-server.ts';
import { runFix } from '../../src/run/index.ts';
import { createSandboxProvider } from '../../src/sandbox/index.ts';
import { createWorkspaceCache } from '../../src/workspace/index.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';
import {
  CA_BUNDLE,
  EVAL_CACHE,
  missingSwebenchJs,
  type SwebenchData,
  swebenchJsData,
} from '../support/swebench.ts';

/** The reference fix as one shell command: write the diff with a heredoc and apply it. */
function replayCommand(patch: string): string {
  return `cat > /tmp/fix.diff <<'CONJECTURE_PATCH_END'\n${patch.replace(/\n$/, '')}\nCONJECTURE_PATCH_END\ngit apply /tmp/fix.diff && git status --short`;
}

describeIf(missingDocker() ?? missingSwebenchJs(), 'the agent replays reference fixes on swebench-js', () => {
  let data: SwebenchData;
  beforeAll(async () => {
    data = await swebenchJsData();
  });

  it('produces, for each of the 16 instances, a patch the repository tests accept', {
    timeout: 60 * 60_000,
  }, async () => {
    const instances = await loadInstances(data.dataset);
    const work = await mkdtemp(join(tmpdir(), 'conjecture-replay-'));
    const logger = silentLogger();
    // Tool-call format: the diff travels as JSON, so backticks in a patch cannot break a fence.
    const { config } = loadConfig({
      env: {
        CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE,
        CONJECTURE_AGENT_ACTION_FORMAT: 'tool_call',
        CONJECTURE_VALIDATE_ENABLED: 'false',
        CONJECTURE_VALIDATE_SETUP_COMMAND: 'true',
      },
    });
    const sandboxes = createSandboxProvider(config, logger);
    const workspace = createWorkspaceCache({ cacheDir: join(work, 'cache'), logger });
    const predictions = new Map<string, Prediction>();
    for (const instance of instances) {
      const server = await startScriptedServer({
        turns: [
          {
            content: 'Apply the fix.',
            toolCalls: [{ name: 'bash', arguments: { command: replayCommand(instance.patch ?? '') } }],
          },
          {
            content: 'Submit.',
            toolCalls: [{ name: 'bash', arguments: { command: 'echo CONJECTURE_SUBMIT' } }],
          },
        ],
      });
      try {
        const result = await runFix(
          {
            model: createOpenAIModel({ ...config.model, baseUrl: server.url }, { logger }),
            sandboxes,
            workspace,
            logger,
          },
          {
            task: {
              id: instance.instance_id,
              repo: join(data.mirrorDir, `${instance.repo.replace('/', '__')}.git`),
              commit: instance.base_commit,
              issue: { title: instance.instance_id, body: instance.problem_statement },
            },
            config,
            outDir: join(work, 'runs', instance.instance_id),
          },
        );
        expect(result.attempts[0]?.exitStatus, instance.instance_id).toBe('submitted');
        predictions.set(instance.instance_id, {
          instance_id: instance.instance_id,
          model_name_or_path: 'conjecture-scripted-replay',
          model_patch: result.patch,
        });
      } finally {
        await server.close();
      }
    }
    await workspace.idle();
    const summary = await scoreInstances({
      instances,
      predictions,
      outDir: join(work, 'score'),
      cacheDir: EVAL_CACHE,
      mirrorDir: data.mirrorDir,
      workers: 2,
      config,
      logger,
      provider: sandboxes,
      caFile: CA_BUNDLE,
    });
    expect(summary.error_ids).toEqual([]);
    expect(summary.unresolved_ids).toEqual([]);
    expect(summary.resolved_instances).toBe(16);
  });
});
