/**
 * The in-container executor. One long-lived bash process (the container's main process) reads
 * requests from stdin and runs each command in a fresh `bash -c` under coreutils `timeout`, which
 * puts the command in its own process group and kills the whole group at the deadline. Almost
 * everything in the loop is a bash builtin, so a command costs a few milliseconds instead of the
 * ~100 ms of a `runc exec` per command; it needs only bash and coreutils, so any image with bash
 * works. When the host goes away, stdin closes, the loop ends, and the container (AutoRemove)
 * removes itself.
 *
 * Request: a header line `<id> <timeoutSeconds> <timeoutMicros> <headBytes> <tailBytes> <cwdLen>
 * <envCount> <cmdLen>`, then the cwd bytes, then each extra env entry as `<len>\n<KEY=VALUE>`, then
 * the command bytes (no NUL bytes anywhere: bash variables cannot hold them).
 * Replies (on stdout, each header line starts with a nonce the host sent first):
 *   <nonce> S <id> <pgid>                       when the command started
 *   <nonce> E <id> <exitCode> <timedOut 0|1> <totalBytes> <payloadBytes>\n<payload>
 * The payload is the whole output when it fits in head+tail, else its first headBytes and last tailBytes.
 */
export const EXECUTOR_DIR = '/run/conjecture-exec';

// `\${` keeps the template literal from interpolating bash's parameter expansions.
export const EXECUTOR_SCRIPT = String.raw`set -u
LC_ALL=C
IFS= read -r nonce || exit 0
d=/run/conjecture-exec; out="$d/out"
mkdir -p "$d" "$HOME" 2>/dev/null
while IFS=' ' read -r id ts tus h tl ncwd nenv ncmd; do
  IFS= read -r -N "$ncwd" cwd
  envs=()
  for ((i = 0; i < nenv; i++)); do IFS= read -r n; IFS= read -r -N "$n" e; envs+=("$e"); done
  IFS= read -r -N "$ncmd" cmd
  start=\${EPOCHREALTIME/./}
  (
    cd -- "$cwd" 2>/dev/null || { echo "conjecture: working directory not found: $cwd"; exit 127; }
    [ \${#envs[@]} -gt 0 ] && export "\${envs[@]}"
    exec timeout -s KILL "$ts" bash -c "$cmd"
  ) </dev/null >"$out" 2>&1 &
  pid=$!
  printf '%s S %s %s
' "$nonce" "$id" "$pid"
  wait "$pid"; rc=$?
  kill -KILL -- "-$pid" 2>/dev/null
  timed=0; [ "$rc" = 137 ] && [ $((\${EPOCHREALTIME/./} - start)) -ge "$tus" ] && timed=1
  IFS= read -r -d '' -N $((h + tl + 1)) data < "$out"
  if [ \${#data} -le $((h + tl)) ]; then
    printf '%s E %s %s %s %s %s
%s' "$nonce" "$id" "$rc" "$timed" \${#data} \${#data} "$data"
  else
    total=$(stat -c %s "$out")
    printf '%s E %s %s %s %s %s
' "$nonce" "$id" "$rc" "$timed" "$total" $((h + tl))
    head -c "$h" "$out"; tail -c "$tl" "$out"
  fi
done
`.replaceAll('\\${', '${');

export interface ExecRequest {
  id: number;
  timeoutMs: number;
  headBytes: number;
  tailBytes: number;
  cwd: string;
  env: Record<string, string>;
  command: string;
}

/** Bytes, not UTF-16 units: the executor counts bytes (LC_ALL=C). NUL bytes are dropped. */
function field(text: string): Buffer {
  return Buffer.from(text.replaceAll('\0', ''), 'utf8');
}

export function encodeRequest(r: ExecRequest): Buffer {
  const cwd = field(r.cwd);
  const command = field(r.command);
  const env = Object.entries(r.env).map(([k, v]) => field(`${k}=${v}`));
  const seconds = Math.max(0.001, r.timeoutMs / 1000).toFixed(3);
  const header = `${r.id} ${seconds} ${Math.round(r.timeoutMs * 1000)} ${r.headBytes} ${r.tailBytes} ${cwd.length} ${env.length} ${command.length}\n`;
  return Buffer.concat([
    Buffer.from(header),
    cwd,
    ...env.flatMap((e) => [Buffer.from(`${e.length}\n`), e]),
    command,
  ]);
}

export type ExecutorEvent =
  | { type: 'started'; id: number; pgid: number }
  | { type: 'ended'; id: number; exitCode: number; timedOut: boolean; totalBytes: number; payload: Buffer };

/** Incremental parser of the executor's stdout; ignores anything not prefixed with the nonce. */
export function createReplyParser(
  nonce: string,
  onEvent: (e: ExecutorEvent) => void,
): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  let pendingEnd:
    | (Omit<Extract<ExecutorEvent, { type: 'ended' }>, 'payload'> & { payloadBytes: number })
    | null = null;
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (pendingEnd) {
        if (buf.length < pendingEnd.payloadBytes) return;
        const { payloadBytes, ...rest } = pendingEnd;
        onEvent({ ...rest, payload: Buffer.from(buf.subarray(0, payloadBytes)) });
        buf = buf.subarray(payloadBytes);
        pendingEnd = null;
        continue;
      }
      const nl = buf.indexOf(10);
      if (nl < 0) return;
      const line = buf.subarray(0, nl).toString('utf8');
      buf = buf.subarray(nl + 1);
      const f = line.split(' ');
      if (f[0] !== nonce) continue;
      if (f[1] === 'S') onEvent({ type: 'started', id: Number(f[2]), pgid: Number(f[3]) });
      else if (f[1] === 'E') {
        pendingEnd = {
          type: 'ended',
          id: Number(f[2]),
          exitCode: Number(f[3]),
          timedOut: f[4] === '1',
          totalBytes: Number(f[5]),
          payloadBytes: Number(f[6]),
        };
      }
    }
  };
}
