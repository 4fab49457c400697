/**
 * Predictions in the official harness / sb-cli format: `{instance_id, model_name_or_path,
 * model_patch}`, as a JSON list, a dict keyed by instance id, or JSONL. And the lines of `eval score`'s
 * `results.jsonl`, one per evaluated instance (written by score-store.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ConjectureError } from '../core/errors.ts';
import { resolutionStatusSchema } from './grading.ts';

export const predictionSchema = z
  .object({
    instance_id: z.string().min(1),
    model_name_or_path: z.string().default('unknown'),
    /** null means the model produced nothing (SWE-bench's `patch_is_None`). */
    model_patch: z.string().nullable().default(null),
  })
  .loose();

export type Prediction = z.infer<typeof predictionSchema>;

export class PredictionsError extends ConjectureError {}

export async function readPredictions(path: string): Promise<Map<string, Prediction>> {
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new PredictionsError(`cannot read predictions file ${path}`, {
      code: 'predictions_unreadable',
      hint: 'check the --preds path',
      cause,
    });
  });
  return parsePredictions(text, path);
}

export function parsePredictions(text: string, source: string): Map<string, Prediction> {
  const trimmed = text.trim();
  // One JSON document (list, dict, or a single object) or, failing that, JSONL.
  const entries = isSingleJson(trimmed)
    ? fromJson(trimmed, source)
    : trimmed
        .split('\n')
        .flatMap((line, i) =>
          line.trim() ? [{ value: parseJson(line, `${source}:line ${i + 1}`), where: `line ${i + 1}` }] : [],
        );
  const out = new Map<string, Prediction>();
  for (const { value, where } of entries) {
    const r = predictionSchema.safeParse(value);
    if (!r.success) {
      const why = r.error.issues
        .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw new PredictionsError(`${source}:${where}: invalid prediction: ${why}`, {
        code: 'prediction_invalid',
        hint: 'each prediction is {instance_id, model_name_or_path, model_patch}',
      });
    }
    out.set(r.data.instance_id, r.data);
  }
  return out;
}

function isSingleJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function fromJson(text: string, source: string): { value: unknown; where: string }[] {
  const data = parseJson(text, source);
  if (Array.isArray(data)) return data.map((value, i) => ({ value, where: `item ${i + 1}` }));
  if (typeof data === 'object' && data !== null) {
    const record = data as Record<string, unknown>;
    // A single prediction object, or the dict form {instance_id: prediction}.
    if (typeof record.instance_id === 'string') return [{ value: record, where: 'item 1' }];
    return Object.entries(record).map(([id, value]) => ({
      value: typeof value === 'object' && value !== null ? { instance_id: id, ...value } : value,
      where: `key ${id}`,
    }));
  }
  throw new PredictionsError(`${source}: expected a list or a dict of predictions`, {
    code: 'prediction_invalid',
  });
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PredictionsError(`${where}: not valid JSON: ${(err as Error).message}`, {
      code: 'prediction_invalid',
    });
  }
}

/** Writes predictions as the official harness expects them (list form unless `dict` is asked for). */
export async function writePredictions(
  path: string,
  preds: Iterable<Prediction>,
  form: 'list' | 'dict' = 'list',
): Promise<void> {
  const list = [...preds].map((p) => ({
    instance_id: p.instance_id,
    model_name_or_path: p.model_name_or_path,
    model_patch: p.model_patch,
  }));
  const data = form === 'list' ? list : Object.fromEntries(list.map((p) => [p.instance_id, p]));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
}

export const evalStatusSchema = z.enum(['resolved', 'unresolved', 'empty_patch', 'patch_failed', 'error']);
export type EvalStatus = z.infer<typeof evalStatusSchema>;

const countsSchema = z.object({ success: z.number(), failure: z.number() }).nullable();

/** One line of results.jsonl. */
export const evalResultSchema = z.object({
  instance_id: z.string(),
  model_name_or_path: z.string(),
  status: evalStatusSchema,
  resolution: resolutionStatusSchema.nullable(),
  fail_to_pass: countsSchema,
  pass_to_pass: countsSchema,
  duration_ms: z.number(),
  /** For `patch_failed` and `error`: what went wrong, one line. */
  error: z.string().optional(),
  /** Which prediction was graded (see `patchDigest`): a rerun reuses the result only for the same one. */
  patch_sha256: z.string().optional(),
});
export type EvalResult = z.infer<typeof evalResultSchema>;

/** Reads results.jsonl; when an instance has several lines (files written before resuming kept one per instance), the last wins. */
export async function readResults(path: string): Promise<EvalResult[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const byId = new Map<string, EvalResult>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const r = evalResultSchema.safeParse(parseJson(line, `${path}:line ${i + 1}`));
    if (!r.success)
      throw new PredictionsError(
        `${path}:line ${i + 1}: not an evaluation result: ${r.error.issues[0]?.message}`,
        {
          code: 'prediction_invalid',
          hint: 'results.jsonl is written by conjecture eval score; rerun with --redo to start it over',
        },
      );
    byId.delete(r.data.instance_id);
    byId.set(r.data.instance_id, r.data);
  });
  return [...byId.values()];
}
