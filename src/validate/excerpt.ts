/** Text trimming for output shown to people and to the model. */

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * Keeps the head and the tail, which is where test output says what ran and what failed, and
 * marks how much of the middle was left out. The result is at most `max` characters.
 */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = (n: number) => `\n[... ${n} characters elided ...]\n`;
  const room = Math.max(0, max - marker(text.length).length);
  const head = Math.floor(room * 0.4);
  const tail = room - head;
  return `${text.slice(0, head)}${marker(text.length - head - tail)}${text.slice(text.length - tail)}`;
}
