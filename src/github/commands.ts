/**
 * Parses `/conjecture <verb> [text]` from a comment. Only the first line that starts with the
 * command counts; quoted lines (`> /conjecture fix`) and code blocks do not, so quoting someone's
 * command in a reply doesn't trigger a run.
 */
export type CommandVerb = 'fix' | 'cancel' | 'retry' | 'status' | 'help';

export interface ParsedCommand {
  verb: CommandVerb;
  /** Extra instructions after `fix`, trimmed; empty when none. */
  args: string;
}

export type ParseResult =
  | { kind: 'command'; command: ParsedCommand }
  | { kind: 'unknown'; word: string }
  | { kind: 'none' };

const VERBS: readonly CommandVerb[] = ['fix', 'cancel', 'retry', 'status', 'help'];
const MAX_ARGS = 2_000;

export function parseCommand(body: string, keyword = 'conjecture'): ParseResult {
  let inFence = false;
  const lines = body.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (/^(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const match = new RegExp(`^/${keyword}(?=\\s|$)(?:\\s+(\\S+))?(.*)$`, 'i').exec(line);
    if (!match) continue;
    const word = (match[1] ?? 'help').toLowerCase();
    if (!(VERBS as readonly string[]).includes(word)) return { kind: 'unknown', word: word.slice(0, 40) };
    const rest = [match[2] ?? '', ...lines.slice(i + 1)].join('\n').trim();
    const verb = word as CommandVerb;
    return { kind: 'command', command: { verb, args: verb === 'fix' ? rest.slice(0, MAX_ARGS) : '' } };
  }
  return { kind: 'none' };
}
