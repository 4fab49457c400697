/** The model seam: one chat completion. Implementations live in src/model/. */
export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  id: string;
  name: string;
  /** Raw JSON text as the model produced it; may be malformed. */
  arguments: string;
}

export interface ChatMessage {
  role: Role;
  content: string;
  toolCalls?: ToolCall[];
  /** For role 'tool': the id of the call this message answers. */
  toolCallId?: string;
}

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** True when the server reported no usage and the numbers are estimates. */
  estimated: boolean;
  /**
   * Of `promptTokens`, those the server reused from its prompt cache instead of evaluating, when it
   * says so (`usage.prompt_tokens_details.cached_tokens`, llama.cpp's `timings`); absent otherwise.
   */
  cachedPromptTokens?: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

export interface Completion {
  message: ChatMessage;
  usage: Usage;
  finishReason: FinishReason;
  latencyMs: number;
  /** Cost in USD when a price table is configured, else 0. */
  costUsd: number;
}

export interface CompleteOptions {
  signal?: AbortSignal;
  tools?: ToolSpec[];
  temperature?: number;
  seed?: number;
  maxTokens?: number;
  /** Called with each streamed text fragment, when streaming. */
  onToken?: (text: string) => void;
}

export interface Model {
  /** Model identifier as sent to the endpoint, e.g. `granite4:tiny-h`. */
  readonly name: string;
  /** Context window in tokens, used to size the agent's context budget. */
  readonly contextWindow: number;
  complete(messages: ChatMessage[], options?: CompleteOptions): Promise<Completion>;
  /**
   * Can the model answer now (for `/readyz`)? Resolves with a detail when it can, rejects with the
   * reason when not; cheap (no completion). Every provider implements it; test doubles may not.
   */
  ready?(signal: AbortSignal): Promise<string | undefined>;
}
