/**
 * Tool calls written as text: `<tool_call>{"name": "bash", "arguments": {…}}</tool_call>` (the
 * syntax of Granite's, Qwen's and Hermes-style chat templates, which a server without a tool-call
 * parser passes through as content), or a bare `{"name": "bash", "arguments": {…}}` object.
 */
import { type CommandOrProblem, commandFromArguments, type Found } from './arguments.ts';

const TAGGED = /<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/g;
const BARE_START = /\{\s*"name"\s*:/g;

export type Span = Pick<Found, 'start' | 'end'>;

export function findTaggedCalls(text: string): Found[] {
  return [...text.matchAll(TAGGED)].map((m) => {
    const body = m[1]!;
    const open = body.search(/[[{]/);
    const json = open < 0 ? null : balancedJson(body, open);
    return { start: m.index, end: m.index + m[0].length, result: fromJson(json) };
  });
}

/** Bare `{"name": "bash", "arguments": …}` objects, outside the spans given (fences, tags). */
export function findBareCalls(text: string, skip: Span[]): Found[] {
  const found: Found[] = [];
  for (const m of text.matchAll(BARE_START)) {
    if (skip.some((s) => m.index >= s.start && m.index < s.end)) continue;
    if (found.some((f) => m.index < f.end)) continue; // nested in the previous one
    const json = balancedJson(text, m.index);
    const call = json === null ? null : parseJson(json);
    if (!isCall(call) || call.name !== 'bash') continue;
    found.push({ start: m.index, end: m.index + json!.length, result: fromCall(call) });
  }
  return found;
}

interface CallShape {
  name: unknown;
  arguments?: unknown;
  parameters?: unknown;
}

function isCall(value: unknown): value is CallShape {
  return typeof value === 'object' && value !== null && 'name' in value;
}

function fromJson(json: string | null): CommandOrProblem {
  const value = json === null ? undefined : parseJson(json);
  const calls = Array.isArray(value) ? value : [value];
  if (calls.length > 1) return { problem: { code: 'several-commands', count: calls.length } };
  const call = calls[0];
  if (!isCall(call)) return { problem: { code: 'invalid-tool-call' } };
  return fromCall(call);
}

function fromCall(call: CallShape): CommandOrProblem {
  if (call.name !== 'bash') return { problem: { code: 'unknown-tool', tool: String(call.name) } };
  let args = call.arguments ?? call.parameters;
  // Some templates encode the arguments object as a JSON string.
  if (typeof args === 'string' && args.trim().startsWith('{')) args = parseJson(args) ?? args;
  return commandFromArguments(args ?? '');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The JSON object or array starting at `start`, up to its matching bracket (strings respected). */
function balancedJson(text: string, start: number): string | null {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return null;
}
