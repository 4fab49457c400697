/** One line of an agent trace (JSONL). Every step is appended as it happens. */

import type { Usage } from './model.ts';
import type { ExitStatus } from './task.ts';

export type TraceEvent =
  | {
      type: 'start';
      at: string;
      taskId: string;
      model: string;
      attempt: number;
      config?: Record<string, unknown>;
    }
  | { type: 'message'; at: string; role: 'system' | 'user'; content: string }
  | {
      type: 'step';
      at: string;
      step: number;
      thought: string;
      command: string | null;
      observation: string;
      exitCode: number | null;
      timedOut: boolean;
      modelMs: number;
      execMs: number;
      usage: Usage;
    }
  | { type: 'format_error'; at: string; step: number; reply: string; feedback: string }
  | { type: 'validation'; at: string; phase: 'baseline' | 'after'; summary: string; passed: boolean }
  | { type: 'end'; at: string; exitStatus: ExitStatus; detail?: string; patchBytes: number };
