/**
 * Part (b) of bench/prefix-cache: the embedded runtime (node-llama-cpp, in process) on the tiny GGUF
 * that carries Granite 4.0's chat template, driven through an agent-shaped conversation: each step
 * the model writes a bash call (grammar-constrained, as the agent's tool-call format asks), and the
 * call's output goes back as a tool response. What node-llama-cpp actually evaluated is read from
 * its token meter (the usage's uncached prompt tokens), against what each step appended: the
 * previous reply and its tool response, measured on the rendered prompt. Baseline in the same run:
 * the same episode with the context policy before issue 15 once over budget — before every call one
 * more old observation is rewritten into a note, keeping the last few whole — which loses the cached
 * prefix each time.
 */
import { BASH_TOOL } from '../../src/agent/actions.ts';
import type { ChatMessage } from '../../src/core/model.ts';
import type { EmbeddedModel } from '../../src/model/embedded/embedded-model.ts';

export interface RuntimeEpisodeOptions {
  steps: number;
  outputBytes: number;
  /** The old policy: before every call, rewrite the oldest whole observation but the last `keepWhole`. */
  rewriteOldest?: { keepWhole: number };
}

export interface RuntimeMeter {
  calls: number;
  /** Prompt tokens node-llama-cpp evaluated (its token meter), summed over the calls. */
  evaluatedTokens: number;
  /** Prompt tokens each call added to the previous prompt (reply and tool response), summed. */
  appendedTokens: number;
  /** Calls that evaluated more than they appended plus a few header tokens: the prefix was lost. */
  invalidations: number;
}

const HEADER_SLACK = 16;

export async function measureRuntimeEpisode(
  model: EmbeddedModel,
  options: RuntimeEpisodeOptions,
): Promise<RuntimeMeter> {
  const meter: RuntimeMeter = { calls: 0, evaluatedTokens: 0, appendedTokens: 0, invalidations: 0 };
  // A fresh sequence state: the first call evaluates everything.
  await model.sequence.clearHistory();
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You fix bugs in the repository with one shell command per reply.' },
    { role: 'user', content: 'parse_date("2024-01-01T00:00+02:00") returns UTC. Fix it.' },
  ];
  let rewritten = 0;
  for (let step = 1; step <= options.steps; step++) {
    const whole = messages.filter((m) => m.role === 'tool').length - rewritten;
    if (options.rewriteOldest && whole > options.rewriteOldest.keepWhole)
      rewritten = rewriteOldest(messages, rewritten);
    const promptLength = model.prompt.tokens(messages, [BASH_TOOL]).length;
    // What this step added: the prompt now, minus the same conversation without its last turn.
    const appended =
      step === 1
        ? promptLength
        : promptLength - model.prompt.tokens(messages.slice(0, -2), [BASH_TOOL]).length;
    const c = await model.complete(messages, { tools: [BASH_TOOL], temperature: 1, seed: step });
    const evaluated = c.usage.promptTokens - (c.usage.cachedPromptTokens ?? 0);
    meter.calls++;
    meter.evaluatedTokens += evaluated;
    meter.appendedTokens += appended;
    if (step > 1 && evaluated > appended + HEADER_SLACK) meter.invalidations++;
    const id = c.message.toolCalls?.[0]?.id ?? `call_${step}`;
    const reply: ChatMessage = c.message.toolCalls?.length
      ? c.message
      : { ...c.message, toolCalls: [{ id, name: 'bash', arguments: '{"command":"true"}' }] };
    messages.push(reply, { role: 'tool', toolCallId: id, content: observation(step, options.outputBytes) });
  }
  return meter;
}

export const runtimeRatio = (m: RuntimeMeter) => m.evaluatedTokens / m.appendedTokens;

function rewriteOldest(messages: ChatMessage[], done: number): number {
  let seen = 0;
  for (const m of messages) {
    if (m.role !== 'tool') continue;
    if (seen++ < done) continue;
    m.content = `[output of ${m.content.length} characters elided]`;
    return done + 1;
  }
  return done;
}

/** Source-like lines, different every step. */
function observation(step: number, bytes: number): string {
  let out = 'exit code 0\n';
  for (let n = step * 1000; out.length < bytes; n++)
    out += `${String(n).padStart(5)}    value_${n} = compute(${n}, factor=${(n * 7) % 13})\n`;
  return out.slice(0, bytes);
}
