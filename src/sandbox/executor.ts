/**
 * The in-container executor. One long-lived bash process (the container's main process) reads
 * requests from stdin and runs each command in a fresh `bash -c` under coreutils `timeout`, which
 * puts the command in its own process group and kills the whole group at the deadline. Almost
 * everything in the loop is a bash builtin, so a command costs a few milliseconds instead of the
 * ~100 ms of a `runc exec` per command; it needs only bash and coreutils, so any image with bash
 * works. When the host goes away, stdin closes, the loop ends, and the container (AutoRemove)
 * removes itself. After each command every other process in the container is killed (`kill -KILL
 * -1` spares only the caller, pid 1), so nothing a command starts — a `setsid` daemon included —
 * outlives it or writes into the replies of the next (THREATS.md #31, #29).
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
  kill -KILL -1 2>/dev/null
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

/** A reply header is short; anything longer after the nonce is not one of ours. */
const MAX_HEADER_BYTES = 160;
const EMPTY = Buffer.alloc(0);

export interface ReplyParserOptions {
  /** Largest payload the host asked for from command `id`, or null when no such command is in flight. */
  payloadLimit: (id: number) => number | null;
  /**
   * Bytes outside the framing tolerated before `onFlood` (THREATS.md #29): nothing but the executor
   * writes there, unless a command writes to `/proc/1/fd/1`.
   */
  maxStrayBytes: number;
  onFlood: (strayBytes: number) => void;
}

type Ended = Extract<ExecutorEvent, { type: 'ended' }>;

function headerEvent(fields: string[], limit: (id: number) => number | null): ExecutorEvent | null {
  const n = fields.slice(1).map(Number);
  if (!n.every((x) => Number.isSafeInteger(x) && x >= 0)) return null;
  const max = limit(n[0] ?? -1);
  if (max === null) return null;
  if (fields[0] === 'S' && n.length === 2)
    return { type: 'started', id: n[0] as number, pgid: n[1] as number };
  if (fields[0] !== 'E' || n.length !== 5 || (n[4] as number) > max) return null;
  return {
    type: 'ended',
    id: n[0] as number,
    exitCode: n[1] as number,
    timedOut: n[2] === 1,
    totalBytes: n[3] as number,
    payload: Buffer.alloc(n[4] as number),
  };
}

/**
 * Incremental parser of the executor's stdout. The sandbox can write into the same stream, so every
 * read is linear and bounded: it looks only for `<nonce> ` (keeping fewer bytes than the nonce between
 * chunks), a header must end within MAX_HEADER_BYTES, a payload is only as long as the host asked for,
 * and everything else is counted and dropped.
 */
export function createReplyParser(
  nonce: string,
  onEvent: (e: ExecutorEvent) => void,
  options: ReplyParserOptions,
): (chunk: Buffer) => void {
  const marker = Buffer.from(`${nonce} `);
  let carry: Buffer = EMPTY;
  let body: { event: Ended; parts: Buffer[]; have: number } | null = null;
  let stray = 0;
  let flooded = false;
  const discard = (bytes: number) => {
    stray += bytes;
    if (!flooded && stray > options.maxStrayBytes) {
      flooded = true;
      options.onFlood(stray);
    }
  };
  return (chunk) => {
    let data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    carry = EMPTY;
    while (data.length > 0 && !flooded) {
      if (body) {
        const take = Math.min(body.event.payload.length - body.have, data.length);
        body.parts.push(data.subarray(0, take));
        body.have += take;
        data = data.subarray(take);
        if (body.have === body.event.payload.length) {
          onEvent({ ...body.event, payload: Buffer.concat(body.parts) });
          body = null;
        }
        continue;
      }
      const at = data.indexOf(marker);
      if (at < 0) {
        const keep = Math.min(data.length, marker.length - 1);
        discard(data.length - keep);
        carry = Buffer.from(data.subarray(data.length - keep));
        return;
      }
      discard(at);
      data = data.subarray(at);
      const nl = data.subarray(0, marker.length + MAX_HEADER_BYTES).indexOf(10);
      if (nl < 0 && data.length < marker.length + MAX_HEADER_BYTES) {
        carry = Buffer.from(data);
        return;
      }
      const event =
        nl < 0
          ? null
          : headerEvent(data.subarray(marker.length, nl).toString('latin1').split(' '), options.payloadLimit);
      if (!event) {
        discard(marker.length);
        data = data.subarray(marker.length);
        continue;
      }
      data = data.subarray(nl + 1);
      if (event.type === 'started' || event.payload.length === 0) onEvent(event);
      else body = { event, parts: [], have: 0 };
    }
  };
}
