import type { OutStream } from './command.ts';

/** What a command prints on stdout: text lines for people, or one JSON document with --json. */
export interface Output {
  readonly json: boolean;
  /** A line of human output; dropped in --json mode so stdout stays one JSON document. */
  line(text?: string): void;
  /** The machine-readable result; printed only in --json mode. */
  data(value: unknown): void;
}

export function createOutput(stdout: OutStream, json: boolean): Output {
  return {
    json,
    line(text = '') {
      if (!json) stdout.write(`${text}\n`);
    },
    data(value) {
      if (json) stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}
