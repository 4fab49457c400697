/**
 * What the agent's context budget is, given what was configured and what the server serves, and
 * what to tell the user when the server's context is too small: the fix names the server's own
 * setting (e.g. `OLLAMA_CONTEXT_LENGTH=32768 ollama serve`).
 */
import type { ServerKind, ServingContext } from './serving-context.ts';

/** The context the agent is built for (the prompts, a task and a useful number of steps). */
export const RECOMMENDED_CONTEXT_TOKENS = 32_768;

export interface ContextWarning {
  message: string;
  fix: string;
}

export interface ContextDecision {
  /** The token budget the agent gets (`Model.contextWindow`). */
  contextWindow: number;
  /** Where it came from, for logs and the trace. */
  from: 'configured' | 'server' | 'default';
  serving?: ServingContext;
  warnings: ContextWarning[];
}

export function contextFix(server: ServerKind, tokens: number, model: string): string {
  switch (server) {
    case 'Ollama':
      return `restart Ollama with a larger context: \`OLLAMA_CONTEXT_LENGTH=${tokens} ollama serve\` (or add \`PARAMETER num_ctx ${tokens}\` to a Modelfile and \`ollama create\` a model from it)`;
    case 'llama.cpp':
      return `restart llama-server with \`--ctx-size ${tokens}\` (times the number of slots when it runs with \`--parallel N\`)`;
    case 'LM Studio':
      return `reload the model with a larger context: \`lms load ${model} --context-length ${tokens}\``;
    case 'vLLM':
      return `restart vLLM with \`--max-model-len ${tokens}\``;
    case 'conjecture model serve':
      return `restart it with a larger context: \`conjecture model serve --set model.embedded.contextSize=${tokens}\` (memory permitting)`;
  }
}

/**
 * The budget: an explicit `model.contextWindow` wins (with a warning when the server serves less);
 * otherwise the server's figure; otherwise the recommended default.
 */
export function decideContextWindow(
  configured: number | undefined,
  serving: ServingContext | undefined,
  model: string,
): ContextDecision {
  const served = serving?.tokens;
  const contextWindow = configured ?? served ?? RECOMMENDED_CONTEXT_TOKENS;
  const from = configured !== undefined ? 'configured' : served !== undefined ? 'server' : 'default';
  const warnings: ContextWarning[] = [];
  const need = configured ?? RECOMMENDED_CONTEXT_TOKENS;
  if (serving && served !== undefined && served < need) {
    const what =
      configured !== undefined
        ? `model.contextWindow is ${configured}`
        : `the agent needs ${need}; its budget follows the server's ${served}, so old output is dropped early`;
    warnings.push({
      message: `${serving.server} serves ${model} with a ${served}-token context (${serving.source}) but ${what}: the server silently cuts the start of a longer prompt (the instructions and the issue)${serving.note ? `; ${serving.note}` : ''}`,
      fix: contextFix(serving.server, need, model),
    });
  } else if (serving && served === undefined && serving.note) {
    warnings.push({
      message: `cannot tell the context ${serving.server} serves ${model} with: ${serving.note}`,
      fix: contextFix(serving.server, need, model),
    });
  }
  return { contextWindow, from, ...(serving ? { serving } : {}), warnings };
}
