/**
 * A distributed `eval run` survives a worker that dies mid-instance: worker A (a real
 * `conjecture eval worker` process) is SIGKILLed while its agent waits for the model; its lease
 * expires; worker B runs the instance; the run collects exactly one result for it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadInstances } from '../../src/eval/instances.ts';
import { readRunResults } from '../../src/eval/run-store.ts';
import { createSqliteJobQueue } from '../../src/jobs/sqlite/queue.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';
import { EVAL_CACHE, missingSwebenchJs, type SwebenchData, swebenchJsData } from '../support/swebench.ts';
import { startReplayServer } from './replay-server.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'conjecture.js');
const ID = 'iamkun__dayjs-1319';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describeIf(missingDocker() ?? missingSwebenchJs(), 'distributed eval run', () => {
  let data: SwebenchData;
  beforeAll(async () => {
    data = await swebenchJsData();
  });

  it('finishes an instance whose worker was SIGKILLed, with one result', {
    timeout: 5 * 60_000,
  }, async () => {
    const instances = (await loadInstances(data.dataset)).filter((i) => i.instance_id === ID);
    let firstStart: () => void = () => {};
    const started = new Promise<void>((r) => {
      firstStart = r;
    });
    // The first agent start is held (long enough to be killed); later ones are answered.
    const { server, starts } = await startReplayServer({
      instances,
      onStart: (_id, n) => {
        if (n === 1) {
          firstStart();
          return 120_000;
        }
        return undefined;
      },
    });
    const work = await mkdtemp(join(tmpdir(), 'eval-worker-crash-'));
    const queuePath = join(work, 'eval-jobs.sqlite');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: work,
      CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE,
      CONJECTURE_AGENT_ACTION_FORMAT: 'tool_call',
      CONJECTURE_VALIDATE_ENABLED: 'false',
      CONJECTURE_VALIDATE_SETUP_COMMAND: 'true',
      CONJECTURE_MODEL_BASE_URL: server.url,
    };
    const worker = () => {
      const child = spawn(
        process.execPath,
        [
          BIN,
          'eval',
          'worker',
          '--queue',
          queuePath,
          '--lease-ms',
          '3000',
          '--poll-ms',
          '200',
          '--mirror-dir',
          data.mirrorDir,
          '--cache-dir',
          EVAL_CACHE,
        ],
        { env, stdio: 'ignore' },
      );
      children.push(child);
      return { child, exited: new Promise<unknown>((r) => child.once('exit', (c, s) => r(s ?? c))) };
    };
    try {
      const out = join(work, 'run');
      let stderr = '';
      const run = main(
        [
          'eval',
          'run',
          '--instances',
          data.dataset,
          '--filter',
          ID,
          '--out',
          out,
          '--queue',
          queuePath,
          '--workers',
          '0',
          '--poll-ms',
          '200',
          '--json',
        ],
        {
          stdout: { write: () => true },
          stderr: { write: (s: string) => (stderr += s) },
          env,
          cwd: work,
        },
      );
      const a = worker();
      await started;
      a.child.kill('SIGKILL');
      expect(await a.exited).toBe('SIGKILL');
      const b = worker();
      expect(await run, stderr).toBe(0);

      const lines = await readRunResults(join(out, 'results.jsonl'));
      expect(lines.map((l) => [l.instance_id, l.exit_status])).toEqual([[ID, 'submitted']]);
      expect(starts.get(ID)).toBe(2);
      const queue = createSqliteJobQueue({ path: queuePath });
      try {
        const { jobs } = await queue.list({ limit: 10 });
        expect(jobs.map((j) => [j.kind, j.state, j.attempts])).toEqual([['eval', 'succeeded', 2]]);
        expect(lines[0]?.worker).toBe(jobs[0]?.id);
      } finally {
        await queue.close();
      }
      b.child.kill('SIGTERM');
      expect(await b.exited).toBe(0);
    } finally {
      await server.close();
    }
  });
});
