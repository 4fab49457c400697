import type { OutStream } from '../../src/cli/command.ts';

/** An in-memory OutStream; `isTTY` lets tests choose how progress renders. */
export function captureStream(isTTY = false): OutStream & { text(): string } {
  const chunks: string[] = [];
  return {
    isTTY,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(''),
  };
}
