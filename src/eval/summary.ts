/**
 * The run report, in the shape of SWE-bench's `make_run_report` output, plus `patch_failed_ids`
 * (counted among errors there too) and the wall time.
 */
import type { SwebenchInstance } from './instances.ts';
import type { EvalResult, Prediction } from './predictions.ts';

export interface EvalSummary {
  run_id: string;
  total_instances: number;
  submitted_instances: number;
  completed_instances: number;
  resolved_instances: number;
  unresolved_instances: number;
  empty_patch_instances: number;
  error_instances: number;
  completed_ids: string[];
  incomplete_ids: string[];
  submitted_ids: string[];
  resolved_ids: string[];
  unresolved_ids: string[];
  empty_patch_ids: string[];
  error_ids: string[];
  patch_failed_ids: string[];
  duration_ms: number;
  schema_version: 2;
}

export function summarize(input: {
  instances: SwebenchInstance[];
  predictions: Map<string, Prediction>;
  results: EvalResult[];
  runId: string;
  durationMs: number;
}): EvalSummary {
  const ids = (status: EvalResult['status'][]) =>
    input.results
      .filter((r) => status.includes(r.status))
      .map((r) => r.instance_id)
      .sort();
  const submitted = input.instances
    .map((i) => i.instance_id)
    .filter((id) => input.predictions.has(id))
    .sort();
  const completed = ids(['resolved', 'unresolved']);
  const done = new Set(input.results.map((r) => r.instance_id));
  const resolved = ids(['resolved']);
  const unresolved = ids(['unresolved']);
  const empty = ids(['empty_patch']);
  const errors = ids(['error', 'patch_failed']);
  return {
    run_id: input.runId,
    total_instances: input.instances.length,
    submitted_instances: submitted.length,
    completed_instances: completed.length,
    resolved_instances: resolved.length,
    unresolved_instances: unresolved.length,
    empty_patch_instances: empty.length,
    error_instances: errors.length,
    completed_ids: completed,
    incomplete_ids: input.instances
      .map((i) => i.instance_id)
      .filter((id) => !done.has(id))
      .sort(),
    submitted_ids: submitted,
    resolved_ids: resolved,
    unresolved_ids: unresolved,
    empty_patch_ids: empty,
    error_ids: errors,
    patch_failed_ids: ids(['patch_failed']),
    duration_ms: input.durationMs,
    schema_version: 2,
  };
}
