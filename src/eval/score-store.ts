/**
 * The record of one `eval score` output directory: `results.jsonl`, one line per evaluated instance
 * (its latest result), replaced whole through a rename after each instance, so a kill at any moment
 * leaves a complete file and a rerun never adds a second line for an instance. Reopening it resumes:
 * a result is reused when it graded the same prediction (same patch) and is not an `error` (an error
 * says the instance could not be evaluated, e.g. a clone or install failure, so it runs again).
 * `redo` starts over with an empty record.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type EvalResult, type Prediction, readResults } from './predictions.ts';
import { replaceFile } from './run-store.ts';

export const SCORE_RESULTS_FILE = 'results.jsonl';

export interface ScoreStore {
  /** The earlier result for this prediction when it can stand, else undefined (evaluate it). */
  reusable(pred: Prediction): EvalResult | undefined;
  get(instanceId: string): EvalResult | undefined;
  /** Records a result for its instance (replacing an earlier line), stamped with the patch digest. */
  record(result: EvalResult, pred: Prediction): Promise<EvalResult>;
}

/** Which prediction a result graded: the digest of its patch (`none` for a null patch). */
export function patchDigest(patch: string | null): string {
  return patch === null ? 'none' : createHash('sha256').update(patch).digest('hex');
}

export async function openScoreStore(outDir: string, options: { redo?: boolean } = {}): Promise<ScoreStore> {
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, SCORE_RESULTS_FILE);
  if (options.redo) await rm(path, { force: true });
  const results = new Map((await readResults(path)).map((r) => [r.instance_id, r]));
  let chain = Promise.resolve();
  return {
    reusable(pred) {
      const earlier = results.get(pred.instance_id);
      if (!earlier || earlier.status === 'error') return undefined;
      if (earlier.patch_sha256 !== patchDigest(pred.model_patch)) return undefined;
      return earlier.model_name_or_path === pred.model_name_or_path ? earlier : undefined;
    },
    get: (id) => results.get(id),
    record(result, pred) {
      const stamped = { ...result, patch_sha256: patchDigest(pred.model_patch) };
      const write = async () => {
        results.delete(stamped.instance_id);
        results.set(stamped.instance_id, stamped);
        await replaceFile(path, [...results.values()].map((r) => `${JSON.stringify(r)}\n`).join(''));
        return stamped;
      };
      // One writer at a time: each record rewrites the whole file.
      const next = chain.then(write);
      chain = next.then(
        () => {},
        () => {},
      );
      return next;
    },
  };
}
