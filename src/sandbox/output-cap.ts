/** Head+tail output capping shared by every runtime: the middle is elided and counted. */
export interface CappedOutput {
  output: string;
  truncated: boolean;
  elidedBytes: number;
}

export function splitCap(maxBytes: number): { headBytes: number; tailBytes: number } {
  const headBytes = Math.ceil(maxBytes / 2);
  return { headBytes, tailBytes: maxBytes - headBytes };
}

/**
 * `payload` is either the whole output (when `totalBytes` fits) or its head followed by its tail.
 * Decoding may split a multi-byte character at the cut; the replacement character marks it.
 */
export function assembleOutput(
  payload: Buffer,
  totalBytes: number,
  headBytes: number,
  tailBytes: number,
): CappedOutput {
  if (totalBytes <= headBytes + tailBytes)
    return { output: payload.toString('utf8'), truncated: false, elidedBytes: 0 };
  const elided = totalBytes - headBytes - tailBytes;
  const head = payload.subarray(0, headBytes).toString('utf8');
  const tail = payload.subarray(headBytes).toString('utf8');
  return {
    output: `${head}\n[... ${elided} bytes elided ...]\n${tail}`,
    truncated: true,
    elidedBytes: elided,
  };
}

/** Caps an in-memory buffer the same way (local runtime). */
export function capBuffer(all: Buffer, maxBytes: number): CappedOutput {
  const { headBytes, tailBytes } = splitCap(maxBytes);
  if (all.length <= maxBytes) return assembleOutput(all, all.length, headBytes, tailBytes);
  return assembleOutput(
    Buffer.concat([all.subarray(0, headBytes), all.subarray(all.length - tailBytes)]),
    all.length,
    headBytes,
    tailBytes,
  );
}
