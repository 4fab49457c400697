export { createOpenAIClient } from './client.ts';
export { fromChatCompletion, mapFinishReason, toWireMessages, toWireTools } from './convert.ts';
export { retryAfterMs, toModelError, unreachableHint } from './errors.ts';
export { createOpenAIModel, type ModelSettings, type OpenAIModelDeps } from './openai-model.ts';
export { type ProbeResult, probeModelEndpoint } from './probe.ts';
export { type Backoff, DEFAULT_BACKOFF } from './retry.ts';
export {
  createScriptedModel,
  type ScriptedModel,
  type ScriptedModelStep,
  type ScriptedModelTurn,
} from './scripted-model.ts';
export {
  type ChatRequestBody,
  type ScriptedServer,
  type ScriptedServerOptions,
  type ScriptedToolCall,
  type ScriptedTurn,
  startScriptedServer,
} from './scripted-server.ts';
export { accumulateStream } from './stream.ts';
export { costUsd, estimatePromptTokens, estimateTokens } from './usage.ts';
