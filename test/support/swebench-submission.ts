/**
 * The format checks of a SWE-bench leaderboard submission folder, as `eval export` writes it:
 * the layout of the submission guide (all_preds.jsonl, trajs/ with the instance id in each name,
 * logs/<id>/ with the evaluator's artifacts, metadata.yaml with info and tags) and trajectories in
 * mini-swe-agent's `DefaultAgent.serialize()` shape, loaded in Python the way its inspector loads
 * them (json.loads, a dict with "messages", steps starting at each assistant message).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const message = z.object({
  role: z.enum(['system', 'user', 'assistant', 'exit']),
  content: z.string(),
  extra: z.record(z.string(), z.unknown()).optional(),
});

/** mini-swe-agent's `DefaultAgent.serialize()` output, as its batch runner saves it. */
export const trajectorySchema = z.object({
  trajectory_format: z.literal('mini-swe-agent-1.1'),
  instance_id: z.string(),
  info: z.object({
    exit_status: z.string(),
    submission: z.string(),
    model_stats: z.object({ instance_cost: z.number(), api_calls: z.number().int() }),
    config: z.object({ agent_type: z.string(), model: z.record(z.string(), z.unknown()) }).loose(),
  }),
  messages: z.array(message).min(3),
});
export type CheckedTrajectory = z.infer<typeof trajectorySchema>;

const predictionLine = z.object({
  instance_id: z.string().min(1),
  model_name_or_path: z.string().min(1),
  model_patch: z.string(),
});

const metadataSchema = z.object({
  info: z.object({ name: z.string().min(1) }).loose(),
  tags: z.object({
    checked: z.boolean(),
    model: z.array(z.string()).min(1),
    os_model: z.boolean(),
    os_system: z.boolean(),
    system: z.object({ attempts: z.enum(['1', '2+']) }),
  }),
});

const INSPECTOR = [
  'import json, pathlib, sys',
  'for p in sorted(pathlib.Path(sys.argv[1]).glob("*.traj.json")):',
  '    data = json.loads(p.read_text())',
  '    assert isinstance(data, dict) and "messages" in data, p',
  '    steps, cur = [], []',
  '    for m in data["messages"]:',
  '        if m.get("extra", {}).get("actions") or m.get("role") == "assistant":',
  '            steps.append(cur); cur = [m]',
  '        else:',
  '            cur.append(m)',
  '    steps.append(cur)',
  '    print(p.name, len(steps), data["info"]["exit_status"], data["trajectory_format"])',
].join('\n');

export interface SubmissionCheck {
  predictions: z.infer<typeof predictionLine>[];
  trajectories: Map<string, CheckedTrajectory>;
  /** What the inspector printed per trajectory: `<file> <steps> <exit_status> <format>`. */
  inspector: string[];
  metadata: z.infer<typeof metadataSchema>;
}

/** Parses every file the guide asks for; throws (with the file) on anything out of format. */
export function checkSubmissionFolder(dir: string, options: { withLogs: boolean }): SubmissionCheck {
  const predictions = readFileSync(join(dir, 'all_preds.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => predictionLine.parse(JSON.parse(l)));
  const ids = predictions.map((p) => p.instance_id);
  const trajFiles = readdirSync(join(dir, 'trajs')).sort();
  if (JSON.stringify(trajFiles) !== JSON.stringify(ids.map((id) => `${id}.traj.json`).sort()))
    throw new Error(`trajs/ holds ${trajFiles.join(', ')}; expected one per prediction`);
  const trajectories = new Map(
    ids.map((id) => [
      id,
      trajectorySchema.parse(JSON.parse(readFileSync(join(dir, 'trajs', `${id}.traj.json`), 'utf8'))),
    ]),
  );
  for (const id of ids) {
    const traj = trajectories.get(id);
    if (traj?.instance_id !== id) throw new Error(`trajs/${id}.traj.json names ${traj?.instance_id}`);
    if (traj.messages.at(-1)?.role !== 'exit')
      throw new Error(`trajs/${id}.traj.json does not end with exit`);
    if (options.withLogs)
      for (const file of ['patch.diff', 'report.json', 'test_output.txt'])
        if (!existsSync(join(dir, 'logs', id, file))) throw new Error(`logs/${id}/${file} is missing`);
  }
  const metadata = metadataSchema.parse(parse(readFileSync(join(dir, 'metadata.yaml'), 'utf8')));
  if (!existsSync(join(dir, 'README.md'))) throw new Error('README.md is missing');
  const inspector = execFileSync('python3', ['-c', INSPECTOR, join(dir, 'trajs')], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return { predictions, trajectories, inspector, metadata };
}
