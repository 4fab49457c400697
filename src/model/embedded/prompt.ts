/**
 * Our conversation → the tokens the embedded model evaluates, in the model's own chat format. A GGUF
 * that carries a chat template (`tokenizer.chat_template`, e.g. Granite 4.0's) is rendered with that
 * template exactly as Hugging Face's `apply_chat_template` would: OpenAI-shaped messages, the tools
 * as `{"type": "function", "function": {…}}`, tool calls with their arguments as objects, tool
 * results as `tool` messages. A GGUF without one gets node-llama-cpp's chat wrapper, with tool calls
 * written in the default `<tool_call>` syntax.
 */
import { Template } from '@huggingface/jinja';
import type { ChatHistoryItem, ChatWrapper, LlamaModel, Token } from 'node-llama-cpp';
import type { ChatMessage, ToolSpec } from '../../core/model.ts';
import {
  DEFAULT_TOOL_CALL_SYNTAX,
  deriveToolCallSyntax,
  type RenderMessages,
  renderToolCall,
  type ToolCallSyntax,
} from './tool-syntax.ts';

export interface PromptRenderer {
  /** How a bash call is written in this model's format. */
  readonly syntax: ToolCallSyntax;
  /** What closes an assistant message (a stop text for free-text replies), if known. */
  readonly endOfMessage?: string;
  /** True when the GGUF's own template renders the prompt. */
  readonly usesTemplate: boolean;
  /** The prompt text (special tokens as their text), ending where the assistant's reply starts. */
  text(messages: ChatMessage[], tools: ToolSpec[] | undefined): string;
  tokens(messages: ChatMessage[], tools: ToolSpec[] | undefined): Token[];
}

export function createPromptRenderer(model: LlamaModel, wrapper: ChatWrapper): PromptRenderer {
  const template = model.fileInfo.metadata?.tokenizer?.chat_template;
  if (typeof template === 'string' && template.trim() !== '') {
    const renderer = templateRenderer(model, template);
    if (renderer) return renderer;
  }
  return wrapperRenderer(model, wrapper);
}

function templateRenderer(model: LlamaModel, source: string): PromptRenderer | undefined {
  let jinja: Template;
  try {
    jinja = new Template(source);
  } catch {
    return undefined; // a template this engine cannot parse: node-llama-cpp's wrapper instead
  }
  const bos = model.tokens.bosString ?? '';
  const eos = model.tokens.eosString ?? '';
  const render = (messages: Record<string, unknown>[], generation: boolean, tools?: unknown[]) =>
    jinja.render({
      messages,
      ...(tools ? { tools } : {}),
      add_generation_prompt: generation,
      bos_token: bos,
      eos_token: eos,
    });
  const renderMessages: RenderMessages = (messages, generation) => render(messages, generation);
  const syntax = deriveToolCallSyntax(renderMessages) ?? DEFAULT_TOOL_CALL_SYNTAX;
  const endOfMessage = messageEnd(renderMessages);
  const text = (messages: ChatMessage[], tools: ToolSpec[] | undefined) => {
    const rendered = render(
      toTemplateMessages(messages),
      true,
      tools?.length ? toTemplateTools(tools) : undefined,
    );
    // node-llama-cpp prepends BOS itself when the model asks for it; never twice.
    return bos && model.tokens.shouldPrependBosToken && rendered.startsWith(bos)
      ? rendered.slice(bos.length)
      : rendered;
  };
  return {
    syntax,
    ...(endOfMessage ? { endOfMessage } : {}),
    usesTemplate: true,
    text,
    tokens: (messages, tools) => model.tokenize(text(messages, tools), true),
  };
}

function messageEnd(render: RenderMessages): string | undefined {
  try {
    const user = { role: 'user', content: 'U' };
    const head = render([user], true);
    const plain = render([user, { role: 'assistant', content: 'T' }], false);
    const end = plain.startsWith(head) ? plain.slice(head.length + 1).trim() : '';
    return end || undefined;
  } catch {
    return undefined;
  }
}

function wrapperRenderer(model: LlamaModel, wrapper: ChatWrapper): PromptRenderer {
  const syntax = DEFAULT_TOOL_CALL_SYNTAX;
  const state = (messages: ChatMessage[]) =>
    wrapper.generateContextState({
      chatHistory: [...toChatHistory(messages, syntax), { type: 'model', response: [] }],
    }).contextText;
  return {
    syntax,
    usesTemplate: false,
    text: (messages) => state(messages).toString(),
    tokens: (messages) => state(messages).tokenize(model.tokenizer),
  };
}

export function toTemplateTools(tools: ToolSpec[]): Record<string, unknown>[] {
  return tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

/** OpenAI-shaped messages with tool-call arguments as objects, as chat templates expect them. */
export function toTemplateMessages(messages: ChatMessage[]): Record<string, unknown>[] {
  return messages.map((m) => {
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.content };
    if (m.role !== 'assistant' || !m.toolCalls?.length) return { role: m.role, content: m.content };
    return {
      role: 'assistant',
      content: m.content,
      tool_calls: m.toolCalls.map((c) => ({
        id: c.id,
        type: 'function',
        function: { name: c.name, arguments: parseArguments(c.arguments) },
      })),
    };
  });
}

function parseArguments(text: string): unknown {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? value : text;
  } catch {
    return text;
  }
}

/** For node-llama-cpp's wrappers: tool calls written as the model wrote them, results as user turns. */
export function toChatHistory(messages: ChatMessage[], syntax: ToolCallSyntax): ChatHistoryItem[] {
  const items: ChatHistoryItem[] = [];
  for (const m of messages) {
    if (m.role === 'system') items.push({ type: 'system', text: m.content });
    else if (m.role === 'assistant') items.push({ type: 'model', response: [renderAssistant(m, syntax)] });
    else {
      // Tool results go back as user turns; consecutive ones (a result, then feedback) are joined.
      const last = items.at(-1);
      if (last?.type === 'user') last.text = `${last.text}\n\n${m.content}`;
      else items.push({ type: 'user', text: m.content });
    }
  }
  return items;
}

function renderAssistant(m: ChatMessage, syntax: ToolCallSyntax): string {
  const call = m.toolCalls?.[0];
  if (!call) return m.content;
  const args = parseArguments(call.arguments) as { command?: unknown };
  return typeof args === 'object' && typeof args.command === 'string'
    ? renderToolCall(syntax, m.content, args.command)
    : `${m.content}\n${call.arguments}`.trim();
}
