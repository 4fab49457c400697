/**
 * The reproducibility stamp of an `eval run`: what someone needs to run it again and get the same
 * predictions — the model (name, digest where the server tells it, sampling settings and seed), a
 * hash of the prompt templates, the sandbox image's digest, and Conjecture's version and commit.
 * Taken when the run starts (`run.json`), so it describes the run, not the machine that exports it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { Config } from '../config/schema.ts';

export const runStampSchema = z.object({
  conjecture_version: z.string(),
  /** The source commit when Conjecture runs from a git checkout; null for an installed package. */
  conjecture_commit: z.string().nullable(),
  model: z.object({
    name: z.string(),
    digest: z.string().nullable(),
    temperature: z.number(),
    max_tokens: z.number(),
    seed: z.number().nullable(),
    /** The agent's budget: configured, or what the server serves; null when neither was known. */
    context_window: z.number().nullable(),
  }),
  /** sha256 over the prompt templates' file names and contents, in name order. */
  prompt_templates_sha256: z.string(),
  sandbox_image: z.object({ name: z.string(), digest: z.string().nullable() }),
  attempts: z.number(),
  step_limit: z.number(),
});
export type RunStamp = z.infer<typeof runStampSchema>;

export interface StampInput {
  config: Config;
  /** The model the run uses (it may differ from config.model.name through --model). */
  modelName: string;
  version: string;
  /** The effective prompt templates by name (bundled ones with any `agent.promptsDir` overrides). */
  prompts: Record<string, string>;
  /** Where Conjecture's sources are; its git commit is recorded when it is a checkout. */
  sourceRoot: string;
  /** Looked up by the caller (Docker's image id); null when the engine does not answer. */
  imageDigest: string | null;
  modelDigest?: string | null;
}

export function hashPromptTemplates(prompts: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(prompts).sort()) hash.update(`${name}\0${prompts[name]}\0`);
  return hash.digest('hex');
}

export async function sourceCommit(root: string): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('git', ['-C', root, 'rev-parse', 'HEAD'], {
      timeout: 10_000,
    });
    const commit = stdout.trim();
    return /^[0-9a-f]{40,64}$/.test(commit) ? commit : null;
  } catch {
    return null;
  }
}

export async function collectRunStamp(input: StampInput): Promise<RunStamp> {
  const { config } = input;
  const commit = await sourceCommit(input.sourceRoot);
  return {
    conjecture_version: input.version,
    conjecture_commit: commit,
    model: {
      name: input.modelName,
      digest: input.modelDigest ?? null,
      temperature: config.model.temperature,
      max_tokens: config.model.maxTokens,
      seed: config.model.seed ?? null,
      context_window: config.model.contextWindow ?? null,
    },
    prompt_templates_sha256: hashPromptTemplates(input.prompts),
    sandbox_image: { name: config.sandbox.image, digest: input.imageDigest },
    attempts: config.agent.attempts,
    step_limit: config.agent.stepLimit,
  };
}
