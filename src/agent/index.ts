export { BASH_TOOL, type ParsedAction, parseReply, parseTextAction, parseToolAction } from './actions.ts';
export { compact } from './compaction.ts';
export { type Conversation, estimateTokens, type ObservationMeta } from './context.ts';
export { buildInitialMessages } from './initial-messages.ts';
export { type AgentInput, type AgentResult, runAgent } from './loop.ts';
export { capChars, formatObservation } from './observation.ts';
export { formatErrorFeedback } from './observe.ts';
export { type Problem, type ProblemCode, problemText } from './problems.ts';
export {
  BUNDLED_PROMPTS_DIR,
  loadPrompts,
  type Prompts,
  render,
  renderFragment,
  SUBMIT_SENTINEL,
} from './prompts.ts';
