/**
 * `eval run` installs an instance's dependencies once per manifest hash into the cache `eval score`
 * uses, and links them into later checkouts instead of reinstalling (issue 16, item 4): the same
 * dayjs instance run twice builds one cache entry, and the second run skips the install.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { loadInstances } from '../../src/eval/instances.ts';
import { readRunResults } from '../../src/eval/run-store.ts';
import { runCliJson } from '../cli/run-cli.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';
import { CA_BUNDLE, missingSwebenchJs, type SwebenchData, swebenchJsData } from '../support/swebench.ts';
import { startReplayServer } from './replay-server.ts';

const ID = 'iamkun__dayjs-2231';
let data: SwebenchData;
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const cli = runCliJson;

describeIf(missingDocker() ?? missingSwebenchJs(), 'eval run reuses installed dependencies', () => {
  beforeAll(async () => {
    data = await swebenchJsData();
  });

  it('installs once per manifest hash and links the install into the next checkout', {
    timeout: 20 * 60_000,
  }, async () => {
    const instances = (await loadInstances(data.dataset)).filter((i) => i.instance_id === ID);
    const { server } = await startReplayServer({ instances });
    cleanup.push(() => server.close());
    const work = await mkdtemp(join(tmpdir(), 'eval-run-deps-'));
    const cache = join(work, 'cache');
    const env = {
      PATH: process.env.PATH,
      HOME: work,
      CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE,
      CONJECTURE_AGENT_ACTION_FORMAT: 'tool_call',
      CONJECTURE_VALIDATE_ENABLED: 'false',
    };
    const run = async (name: string) => {
      const out = join(work, name);
      const r = await cli(
        [
          'eval',
          'run',
          '--instances',
          data.dataset,
          '--filter',
          ID,
          '--out',
          out,
          '--base-url',
          server.url,
          '--mirror-dir',
          data.mirrorDir,
          '--cache-dir',
          cache,
          ...(CA_BUNDLE ? ['--ca-file', CA_BUNDLE] : []),
        ],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      const [line] = await readRunResults(join(out, 'results.jsonl'));
      expect(line).toMatchObject({ instance_id: ID, exit_status: 'submitted' });
      const preds = readFileSync(join(out, 'preds.json'), 'utf8');
      expect(preds).not.toContain('node_modules');
      return line?.duration_ms ?? 0;
    };
    const cold = await run('cold');
    const entries = () =>
      readdirSync(join(cache, 'deps', 'iamkun__dayjs')).filter((e) => /^[0-9a-f]{16}$/.test(e));
    expect(entries()).toHaveLength(1);
    const warm = await run('warm');
    expect(entries()).toHaveLength(1);
    process.stderr.write(
      `[eval run deps] ${ID}: cold ${(cold / 1000).toFixed(1)} s, warm ${(warm / 1000).toFixed(1)} s\n`,
    );
    expect(warm).toBeLessThan(cold);
  });
});
