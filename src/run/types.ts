/** The pipeline's inputs and outputs: what `conjecture fix`, the app's worker and the API share. */
import type { Config } from '../config/schema.ts';
import type { Logger } from '../core/log.ts';
import type { Model } from '../core/model.ts';
import type { SandboxProvider } from '../core/sandbox.ts';
import type { ExitStatus, RunUsage, Task } from '../core/task.ts';
import type { Comparison, TestRun } from '../validate/types.ts';
import type { WorkspaceCache } from '../workspace/index.ts';

export type Phase = 'checkout' | 'setup' | 'baseline' | 'agent' | 'validating' | 'selecting' | 'done';

export interface Progress {
  phase: Phase;
  attempt?: number;
  attempts?: number;
  step?: number;
  maxSteps?: number;
  detail?: string;
}

export interface RunDeps {
  model: Model;
  sandboxes: SandboxProvider;
  workspace: WorkspaceCache;
  logger: Logger;
}

export interface RunOptions {
  task: Task;
  /**
   * The operator's configuration; the repository's `.github/conjecture.yml` meets it after checkout
   * through `applyRepoConfig` (choices, limits only lowered, operator-only keys ignored).
   */
  config: Config;
  /** Settings the operator set in the environment or flags (`LoadedConfig.pinned`): never the repository's choice. */
  pinned?: readonly string[];
  /** Where the repository config is read (a trusted ref); defaults to the commit checked out. */
  configRef?: string;
  /** Directory for the run's artifacts: trace.jsonl, trace.md, patch.diff, summary.json. */
  outDir: string;
  /** Installation token for git on the host only; never reaches the sandbox. */
  token?: string;
  /** Extra values to redact from traces (the model API key etc. are added from config). */
  secrets?: string[];
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /**
   * Runs on the host after each checkout, before the setup phase: e.g. `eval run` links the
   * dependencies it installed once per manifest (as `eval score` does) instead of reinstalling.
   */
  prepareCheckout?: (checkoutDir: string) => Promise<void>;
  /** Environment of the agent's sandbox on top of the defaults (e.g. an image's own env on PATH). */
  sandboxEnv?: Record<string, string>;
}

export interface Validation {
  command: string;
  baseline: TestRun;
  after: TestRun;
  comparison: Comparison;
}

export interface AttemptResult {
  attempt: number;
  exitStatus: ExitStatus;
  detail?: string;
  patch: string;
  /** Lines added + removed; the selection prefers smaller diffs. */
  diffLines: number;
  validation: Validation | null;
  /** Rounds of test feedback the agent received. */
  feedbackRounds: number;
  steps: number;
  usage: RunUsage;
  durationMs: number;
  /** The agent reproduced the problem: a command that failed earlier in the run passed later. */
  reproduced: boolean;
  tracePath: string;
}

export type Outcome =
  | 'validated'
  | 'unvalidated'
  | 'failed_validation'
  | 'no_patch'
  | 'rejected'
  | 'error'
  | 'cancelled';

export interface RunResult {
  outcome: Outcome;
  /** Why, in one line, for status comments and summaries. */
  reason: string;
  patch: string;
  chosen: AttemptResult | null;
  attempts: AttemptResult[];
  baseCommit: string;
  testCommand: string | null;
  model: string;
  image: string;
  usage: RunUsage;
  durationMs: number;
  outDir: string;
  /** The effective config after the repo file, for the PR body. */
  config: Config;
  /** What the repository's config asked for and did not get: shown in the summary, PR and issue. */
  configNotes: string[];
}
