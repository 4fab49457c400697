/**
 * One instance's trace (our JSONL, `src/core/trace.ts`) as a mini-swe-agent trajectory
 * (`<instance_id>.traj.json`, format `mini-swe-agent-1.1`), so researchers can read it with the
 * tools they already have (mini-swe-agent's inspector, its batch analyses).
 *
 * The shape follows mini-swe-agent's `DefaultAgent.serialize()`: `{info, messages,
 * trajectory_format, instance_id}`, where `info` holds `exit_status`, `submission`, `model_stats`
 * (`instance_cost`, `api_calls`) and `config`. Messages are `{role, content, extra?}`; an assistant
 * message lists the commands it ran in `extra.actions` (`[{command}]`), an observation is a `user`
 * message rendered with mini-swe-agent's default text observation template, and the last message
 * has role `exit` with the exit status and submission. Attempts after the first and validation runs,
 * which mini-swe-agent does not have, appear as `user` messages whose `extra.conjecture` says so.
 */
import type { TraceEvent } from '../../core/trace.ts';

export const TRAJECTORY_FORMAT = 'mini-swe-agent-1.1';

export interface TrajectoryMessage {
  role: 'system' | 'user' | 'assistant' | 'exit';
  content: string;
  extra?: Record<string, unknown>;
}

export interface Trajectory {
  trajectory_format: typeof TRAJECTORY_FORMAT;
  instance_id: string;
  info: {
    exit_status: string;
    submission: string;
    model_stats: { instance_cost: number; api_calls: number };
    config: { agent_type: string; model: Record<string, unknown>; conjecture: Record<string, unknown> };
    conjecture_version: string;
  };
  messages: TrajectoryMessage[];
}

export interface TrajectoryInput {
  instanceId: string;
  events: TraceEvent[];
  exitStatus: string;
  submission: string;
  costUsd: number;
  modelCalls: number;
  model: Record<string, unknown>;
  version: string;
  /** The run's outcome and other facts worth keeping (the pipeline's verdict, the worker). */
  details?: Record<string, unknown>;
}

/** mini-swe-agent's default text observation template, rendered. */
export function renderObservation(returncode: number | null, output: string): string {
  return `<returncode>${returncode ?? -1}</returncode>\n<output>\n${output}</output>`;
}

function assistantContent(thought: string, command: string | null): string {
  if (command === null) return thought;
  return `${thought}${thought ? '\n\n' : ''}\`\`\`bash\n${command}\n\`\`\``;
}

function messagesOf(event: TraceEvent): TrajectoryMessage[] {
  switch (event.type) {
    case 'start':
      return event.attempt > 1
        ? [
            {
              role: 'user',
              content: `Attempt ${event.attempt} starts.`,
              extra: { conjecture: 'attempt', attempt: event.attempt, timestamp: event.at },
            },
          ]
        : [];
    case 'message':
      return [{ role: event.role, content: event.content, extra: { timestamp: event.at } }];
    case 'step': {
      const assistant: TrajectoryMessage = {
        role: 'assistant',
        content: assistantContent(event.thought, event.command),
        extra: {
          actions: event.command === null ? [] : [{ command: event.command }],
          usage: event.usage,
          model_ms: event.modelMs,
          timestamp: event.at,
        },
      };
      if (event.command === null) return [assistant];
      const observation: TrajectoryMessage = {
        role: 'user',
        content: renderObservation(event.exitCode, event.observation),
        extra: {
          raw_output: event.observation,
          returncode: event.exitCode,
          timed_out: event.timedOut,
          exec_ms: event.execMs,
          timestamp: event.at,
        },
      };
      return [assistant, observation];
    }
    case 'format_error':
      return [
        {
          role: 'assistant',
          content: event.reply,
          extra: { actions: [], format_error: true, timestamp: event.at },
        },
        { role: 'user', content: event.feedback, extra: { timestamp: event.at } },
      ];
    case 'validation':
      return [
        {
          role: 'user',
          content: `Validation (${event.phase}): ${event.passed ? 'passed' : 'failed'}\n${event.summary}`,
          extra: { conjecture: 'validation', phase: event.phase, passed: event.passed, timestamp: event.at },
        },
      ];
    case 'end':
      return [
        {
          role: 'user',
          content: `Attempt ended: ${event.exitStatus}${event.detail ? ` (${event.detail})` : ''}.`,
          extra: {
            conjecture: 'attempt_end',
            exit_status: event.exitStatus,
            patch_bytes: event.patchBytes,
            timestamp: event.at,
          },
        },
      ];
  }
}

export function toTrajectory(input: TrajectoryInput): Trajectory {
  const messages = input.events.flatMap(messagesOf);
  messages.push({
    role: 'exit',
    content: input.exitStatus,
    extra: { exit_status: input.exitStatus, submission: input.submission },
  });
  return {
    trajectory_format: TRAJECTORY_FORMAT,
    instance_id: input.instanceId,
    info: {
      exit_status: input.exitStatus,
      submission: input.submission,
      model_stats: { instance_cost: input.costUsd, api_calls: input.modelCalls },
      config: {
        agent_type: 'conjecture.runAgent',
        model: input.model,
        conjecture: input.details ?? {},
      },
      conjecture_version: input.version,
    },
    messages,
  };
}
