import { describe, expect, it } from 'vitest';
import { type DoctorCheck, runChecks } from '../../../src/cli/doctor/check.ts';
import { diskCheck, nodeCheck, nodeVersionOk } from '../../../src/cli/doctor/host-checks.ts';
import { ModelError } from '../../../src/core/errors.ts';

const never: DoctorCheck = {
  id: 'slow',
  title: 'slow thing',
  required: true,
  run: (signal) =>
    new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
};

describe('runChecks', () => {
  it('bounds each check by the deadline and aborts it', async () => {
    const started = Date.now();
    const [result] = await runChecks([never], 50);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ status: 'fail', message: 'slow thing: no answer within 50 ms' });
  });

  it('turns a thrown ConjectureError into a failure carrying its hint', async () => {
    const throws: DoctorCheck = {
      id: 'model',
      title: 'model',
      required: true,
      run: async () => {
        throw new ModelError('cannot reach http://127.0.0.1:1/v1', {
          code: 'endpoint_unreachable',
          hint: 'start it',
        });
      },
    };
    expect(await runChecks([throws], 1_000)).toEqual([
      {
        id: 'model',
        title: 'model',
        required: true,
        status: 'fail',
        message: 'cannot reach http://127.0.0.1:1/v1',
        fix: 'start it',
      },
    ]);
  });

  it('skips a check whose prerequisite did not pass, and runs it when it did', async () => {
    const ok = (id: string, after?: string): DoctorCheck => ({
      id,
      title: id,
      required: true,
      after,
      run: async () => ({ status: 'pass', message: `${id} ok` }),
    });
    const results = await runChecks(
      [{ ...never, id: 'docker', title: 'Docker' }, ok('image', 'docker'), ok('git'), ok('x', 'git')],
      30,
    );
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['docker', 'fail'],
      ['image', 'skip'],
      ['git', 'pass'],
      ['x', 'pass'],
    ]);
    expect(results[1]?.message).toBe('skipped: Docker failed');
  });
});

describe('host checks', () => {
  it('needs Node 22.13 or newer (node:sqlite without a flag)', async () => {
    expect(nodeVersionOk('22.13.0')).toBe(true);
    expect(nodeVersionOk('v24.0.1')).toBe(true);
    expect(nodeVersionOk('22.12.9')).toBe(false);
    expect(nodeVersionOk('20.19.0')).toBe(false);
    const signal = new AbortController().signal;
    expect(await nodeCheck('20.1.0').run(signal)).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('22.13'),
    });
  });

  it('warns (not fails) on little free disk, looking at the nearest existing parent', async () => {
    const check = diskCheck('/tmp/does/not/exist/yet', Number.MAX_SAFE_INTEGER);
    expect(check.required).toBe(false);
    const outcome = await check.run(new AbortController().signal);
    expect(outcome).toMatchObject({ status: 'warn', fix: expect.stringContaining('stateDir') });
    expect((await diskCheck('/tmp', 1).run(new AbortController().signal)).status).toBe('pass');
  });
});
