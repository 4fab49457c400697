export { BASH_TOOL, type ParsedAction, parseTextAction, parseToolAction } from './actions.ts';
export { estimateTokens, fitContext } from './context.ts';
export { type AgentInput, type AgentResult, buildInitialMessages, runAgent } from './loop.ts';
export { capChars, formatObservation } from './observation.ts';
export { BUNDLED_PROMPTS_DIR, loadPrompts, type Prompts, render, SUBMIT_SENTINEL } from './prompts.ts';
