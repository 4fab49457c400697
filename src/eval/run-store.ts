/**
 * The files of one `eval run` directory: `preds.json` (the official harness / sb-cli format),
 * `results.jsonl` (one line per finished instance), `traces/<id>.jsonl` and `run.json`. Every file is
 * replaced whole through a temporary file and a rename, in the order trace → preds → results, so a
 * kill at any moment leaves files that agree: `results.jsonl` is the commit record, and on reopening
 * a prediction without a result line is dropped (its instance runs again).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ExitStatus } from '../core/task.ts';
import { type Prediction, parsePredictions } from './predictions.ts';
import { instanceDir } from './run-instance.ts';
import type { RunStamp } from './stamp.ts';

/** One line of a run's results.jsonl. */
export const runResultSchema = z.object({
  instance_id: z.string(),
  model_name_or_path: z.string(),
  exit_status: z.enum(['submitted', 'limits_exceeded', 'format_error', 'timeout', 'cancelled', 'error']),
  /** The pipeline's verdict (validated, no_patch, …); `crashed` when the instance threw. */
  outcome: z.string(),
  steps: z.number(),
  model_calls: z.number(),
  prompt_tokens: z.number(),
  /** Of prompt_tokens, those the server served from its prompt cache; only when it reports them. */
  cached_prompt_tokens: z.number().optional(),
  completion_tokens: z.number(),
  cost_usd: z.number(),
  duration_ms: z.number(),
  format_errors: z.number(),
  patch_bytes: z.number(),
  patch_lines: z.number(),
  error: z.string().optional(),
  /** Which process ran it: `local` or the queue job id. */
  worker: z.string().optional(),
  finished_at: z.string(),
});
export type RunResultLine = z.infer<typeof runResultSchema> & { exit_status: ExitStatus };

/** What one instance produced; the store turns it into the three files. */
export interface InstanceOutcome {
  line: RunResultLine;
  patch: string;
  /** The agent's trace (JSONL text), possibly empty when the instance crashed before the agent. */
  trace: string;
}

export interface RunMeta {
  run_id: string;
  model_name_or_path: string;
  instances_file?: string;
  created_at: string;
  /** What it takes to run it again (model, sampling, prompts, image, version); see stamp.ts. */
  stamp?: RunStamp;
}

export interface RunStore {
  readonly dir: string;
  readonly meta: RunMeta;
  /** Instance ids with a result line. */
  done(): Set<string>;
  results(): RunResultLine[];
  /** Writes the trace, the prediction and the result line (replacing an earlier one for the id). */
  record(outcome: InstanceOutcome): Promise<void>;
}

export const RESULTS_FILE = 'results.jsonl';
export const PREDS_FILE = 'preds.json';
export const RUN_FILE = 'run.json';

export function tracePath(dir: string, id: string): string {
  return `${instanceDir(join(dir, 'traces'), id)}.jsonl`;
}

/** Opens (or creates) a run directory. `newRun` starts a fresh run id (for `--redo`). */
export async function openRunStore(dir: string, init: RunInit): Promise<RunStore> {
  await mkdir(join(dir, 'traces'), { recursive: true });
  const meta = await loadMeta(dir, init);
  const results = new Map<string, RunResultLine>(
    (await readRunResults(join(dir, RESULTS_FILE))).map((r) => [r.instance_id, r]),
  );
  const predsText = await readFile(join(dir, PREDS_FILE), 'utf8').catch(() => '');
  const preds = new Map<string, Prediction>();
  if (predsText.trim()) {
    for (const [id, p] of parsePredictions(predsText, join(dir, PREDS_FILE)))
      if (results.has(id)) preds.set(id, p);
  }
  // One writer at a time: each record rewrites whole files.
  let chain = Promise.resolve();
  return {
    dir,
    meta,
    done: () => new Set(results.keys()),
    results: () => [...results.values()],
    record(outcome) {
      const run = async () => {
        const { line } = outcome;
        await replaceFile(tracePath(dir, line.instance_id), outcome.trace);
        preds.set(line.instance_id, {
          instance_id: line.instance_id,
          model_name_or_path: line.model_name_or_path,
          model_patch: outcome.patch,
        });
        await replaceFile(join(dir, PREDS_FILE), `${JSON.stringify([...preds.values()], null, 2)}\n`);
        results.set(line.instance_id, line);
        const text = [...results.values()].map((r) => JSON.stringify(r)).join('\n');
        await replaceFile(join(dir, RESULTS_FILE), `${text}\n`);
      };
      const next = chain.then(run);
      chain = next.catch(() => {});
      return next;
    },
  };
}

export async function readRunResults(path: string): Promise<RunResultLine[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => runResultSchema.parse(JSON.parse(l)) as RunResultLine);
}

interface RunInit {
  model_name_or_path: string;
  instances_file?: string;
  newRun?: boolean;
  stamp?: RunStamp;
}

async function loadMeta(dir: string, init: RunInit): Promise<RunMeta> {
  const path = join(dir, RUN_FILE);
  const existing = await readFile(path, 'utf8').then(
    (t) => JSON.parse(t) as RunMeta,
    () => null,
  );
  if (existing && !init.newRun) return existing;
  const meta: RunMeta = {
    run_id: `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`,
    model_name_or_path: init.model_name_or_path,
    ...(init.instances_file ? { instances_file: init.instances_file } : {}),
    created_at: new Date().toISOString(),
    ...(init.stamp ? { stamp: init.stamp } : {}),
  };
  await replaceFile(path, `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

/** Write-then-rename: readers (and a later run after a kill) see the old file or the new one. */
export async function replaceFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
