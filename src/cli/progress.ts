/**
 * Progress for long steps (clone, image pull, setup, agent run), always on stderr so stdout stays
 * parseable: a spinner line on a terminal, one plain line per event otherwise (CI logs, pipes),
 * nothing with --json or --quiet.
 */
import type { OutStream } from './command.ts';

export type ProgressMode = 'tty' | 'plain' | 'silent';

export interface StepHandle {
  /** Replaces the step's text (e.g. "step 3/40"); plain mode prints it as its own line. */
  update(text: string): void;
  succeed(detail?: string): void;
  fail(detail?: string): void;
}

export interface Progress {
  readonly mode: ProgressMode;
  start(label: string): StepHandle;
  /** Runs `fn` as one step: ✔ when it resolves, ✖ (and rethrow) when it rejects. */
  step<T>(label: string, fn: (step: StepHandle) => Promise<T>): Promise<T>;
}

export interface ProgressOptions {
  stream: OutStream;
  mode: ProgressMode;
  now?: () => number;
  intervalMs?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[2K';

export function progressMode(options: {
  json: boolean;
  quiet: boolean;
  isTTY: boolean | undefined;
}): ProgressMode {
  if (options.json || options.quiet) return 'silent';
  return options.isTTY ? 'tty' : 'plain';
}

export function createProgress(options: ProgressOptions): Progress {
  const { stream, mode } = options;
  const now = options.now ?? Date.now;
  const write = (s: string) => {
    if (mode !== 'silent') stream.write(s);
  };

  const start = (label: string): StepHandle => {
    const started = now();
    let text = label;
    let frame = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    const draw = () => write(`${CLEAR_LINE}${FRAMES[frame++ % FRAMES.length]} ${text}`);
    if (mode === 'tty') {
      draw();
      timer = setInterval(draw, options.intervalMs ?? 80);
      // A forgotten step must not keep the process alive.
      timer.unref();
    } else write(`… ${label}\n`);

    const finish = (mark: string, detail: string | undefined) => {
      if (timer) clearInterval(timer);
      const seconds = ((now() - started) / 1000).toFixed(1);
      const tail = detail ? `: ${detail}` : '';
      write(`${mode === 'tty' ? CLEAR_LINE : ''}${mark} ${label}${tail} (${seconds}s)\n`);
    };
    let done = false;
    return {
      update(next) {
        text = `${label}: ${next}`;
        if (mode === 'plain') write(`  ${text}\n`);
        else if (mode === 'tty') draw();
      },
      succeed(detail) {
        if (!done) finish('✔', detail);
        done = true;
      },
      fail(detail) {
        if (!done) finish('✖', detail);
        done = true;
      },
    };
  };

  return {
    mode,
    start,
    async step(label, fn) {
      const handle = start(label);
      try {
        const result = await fn(handle);
        handle.succeed();
        return result;
      } catch (err) {
        handle.fail(err instanceof Error ? err.message.split('\n')[0] : undefined);
        throw err;
      }
    },
  };
}
