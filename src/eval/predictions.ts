/**
 * Predictions in the official harness / sb-cli format: `{instance_id, model_name_or_path,
 * model_patch}`, as a JSON list, a dict keyed by instance id, or JSONL. And `results.jsonl`, one
 * line per evaluated instance, appended as each finishes so an interrupted run keeps its work.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ConjectureError } from '../core/errors.ts';
import type { ResolutionStatus } from './grading.ts';

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

export type EvalStatus = 'resolved' | 'unresolved' | 'empty_patch' | 'patch_failed' | 'error';

/** One line of results.jsonl. */
export interface EvalResult {
  instance_id: string;
  model_name_or_path: string;
  status: EvalStatus;
  resolution: ResolutionStatus | null;
  fail_to_pass: { success: number; failure: number } | null;
  pass_to_pass: { success: number; failure: number } | null;
  duration_ms: number;
  /** For `patch_failed` and `error`: what went wrong, one line. */
  error?: string;
}

export async function appendResult(path: string, result: EvalResult): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, `${JSON.stringify(result)}\n`);
}

export async function readResults(path: string): Promise<EvalResult[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => parseJson(l, `${path}:line ${i + 1}`) as EvalResult);
}
