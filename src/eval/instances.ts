/**
 * SWE-bench task instances: loading (`.jsonl` or a `.json` array), validation with errors that name
 * the line and field, and selection (`--filter`, `--slice`). The official datasets store
 * FAIL_TO_PASS/PASS_TO_PASS as JSON-encoded strings; converted sets often use plain arrays — both
 * are accepted and normalised to `string[]`.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConjectureError } from '../core/errors.ts';
import { ADAPTER_NAMES } from './adapters/types.ts';

/** A list of test ids, either as an array or as the JSON text of one (the official dataset form). */
const testIdList = z.preprocess((value, ctx) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected an array of test ids or a JSON string holding one' });
    return z.NEVER;
  }
}, z.array(z.string()));

export const instanceSchema = z
  .object({
    instance_id: z.string().min(1),
    repo: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected "owner/name"'),
    base_commit: z.string().regex(/^[0-9a-f]{7,40}$/i, 'expected a commit sha'),
    problem_statement: z.string().default(''),
    patch: z.string().default(''),
    test_patch: z.string().default(''),
    FAIL_TO_PASS: testIdList,
    PASS_TO_PASS: testIdList.default([]),
    hints_text: z.string().optional(),
    version: z.union([z.string(), z.number()]).transform(String).optional(),
    environment_setup_commit: z.string().optional(),
    created_at: z.string().optional(),
    image: z.string().optional().describe('sandbox image for this instance'),
    // Conjecture extras for repositories outside the built-in spec table (see specs.ts).
    install: z.string().optional().describe('dependency install command; runs with network'),
    test_cmd: z.string().optional().describe('test command; the test files are appended'),
    test_runner: z.enum(ADAPTER_NAMES).optional(),
  })
  .loose();

export type SwebenchInstance = z.infer<typeof instanceSchema>;

export class InstanceFileError extends ConjectureError {}

/** Reads and validates a `.jsonl` (one instance a line) or `.json` (an array) file. */
export async function loadInstances(path: string): Promise<SwebenchInstance[]> {
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new InstanceFileError(`cannot read instances file ${path}`, {
      code: 'instances_unreadable',
      hint: 'check the --instances path',
      cause,
    });
  });
  return parseInstances(text, path);
}

export function parseInstances(text: string, source: string): SwebenchInstance[] {
  const records = text.trimStart().startsWith('[') ? splitJsonArray(text, source) : splitJsonl(text, source);
  const seen = new Set<string>();
  return records.map(({ value, where }) => {
    const result = instanceSchema.safeParse(value);
    if (!result.success) {
      const problems = result.error.issues.map(
        (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
      );
      throw new InstanceFileError(`${source}:${where}: invalid instance: ${problems.join('; ')}`, {
        code: 'instance_invalid',
        hint: 'each instance needs instance_id, repo ("owner/name"), base_commit and FAIL_TO_PASS',
      });
    }
    if (seen.has(result.data.instance_id)) {
      throw new InstanceFileError(`${source}:${where}: duplicate instance_id ${result.data.instance_id}`, {
        code: 'instance_duplicate',
      });
    }
    seen.add(result.data.instance_id);
    return result.data;
  });
}

interface RawRecord {
  value: unknown;
  /** "line N" for JSONL, "item N" for a JSON array (1-based). */
  where: string;
}

function splitJsonl(text: string, source: string): RawRecord[] {
  const records: RawRecord[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      records.push({ value: JSON.parse(line), where: `line ${index + 1}` });
    } catch (err) {
      throw new InstanceFileError(`${source}:line ${index + 1}: not valid JSON: ${(err as Error).message}`, {
        code: 'instance_invalid',
        hint: 'a .jsonl file holds one JSON object per line',
      });
    }
  });
  return records;
}

function splitJsonArray(text: string, source: string): RawRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InstanceFileError(`${source}: not valid JSON: ${(err as Error).message}`, {
      code: 'instance_invalid',
    });
  }
  if (!Array.isArray(data))
    throw new InstanceFileError(`${source}: expected an array of instances`, { code: 'instance_invalid' });
  return data.map((value, i) => ({ value, where: `item ${i + 1}` }));
}

export interface SelectOptions {
  /** Instance ids (exact) or `/regex/` patterns; an instance is kept when any matches. */
  filter?: string[];
  /** Python-style `a:b` slice of the (filtered) list; either bound may be empty or negative. */
  slice?: string;
}

export function selectInstances<T extends { instance_id: string }>(
  instances: T[],
  options: SelectOptions,
): T[] {
  let out = instances;
  const filters = (options.filter ?? [])
    .flatMap((f) => f.split(','))
    .map((f) => f.trim())
    .filter(Boolean);
  if (filters.length > 0) {
    const tests = filters.map((f) => {
      const m = /^\/(.*)\/([a-z]*)$/.exec(f);
      if (m) {
        const re = new RegExp(m[1] ?? '', m[2]);
        return (id: string) => re.test(id);
      }
      return (id: string) => id === f;
    });
    out = out.filter((i) => tests.some((t) => t(i.instance_id)));
  }
  if (options.slice !== undefined) {
    const m = /^\s*(-?\d*)\s*:\s*(-?\d*)\s*$/.exec(options.slice);
    if (!m)
      throw new InstanceFileError(`invalid --slice "${options.slice}"`, {
        code: 'usage',
        hint: 'use a:b, e.g. 0:10 or :5 or -3:',
      });
    const start = m[1] ? Number(m[1]) : undefined;
    const end = m[2] ? Number(m[2]) : undefined;
    out = out.slice(start, end);
  }
  return out;
}
