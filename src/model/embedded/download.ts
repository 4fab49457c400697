/**
 * Downloads a GGUF once into the model cache: resumes with an HTTP Range request after a dropped
 * connection (and across runs: the `.partial` file stays), checks the disk before writing, reports
 * progress, and verifies the sha256 before the file gets its final name. A mismatch removes the
 * partial file, so a corrupt download is never loaded and never resumed.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isAbortError, ModelError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/log.ts';

export interface PullProgress {
  receivedBytes: number;
  totalBytes: number | undefined;
  /** Bytes already on disk when this request started (0 unless resuming). */
  resumedFrom: number;
}

export interface PullOptions {
  url: string;
  /** The final path; the download is written to `<dest>.partial` first. */
  dest: string;
  sha256?: string;
  /** Keep a file that neither the catalog nor the server gives a checksum for. */
  allowUnverified?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
  /** Range requests after dropped connections before giving up. */
  maxResumes?: number;
  /** Injected for tests. */
  fetch?: typeof fetch;
  freeBytes?: (dir: string) => number;
  logger?: Logger;
  /** Written beside the file as `<dest>.json` (reference, source) for `model list`. */
  ref?: string;
}

export interface PullResult {
  path: string;
  bytes: number;
  sha256: string;
  /** Where the expected checksum came from. */
  verifiedBy: 'pinned' | 'server' | 'none';
  resumes: number;
}

/** Free space we keep beyond the file itself, so a full disk never breaks the rest of the host. */
const DISK_MARGIN = 256 * 1024 * 1024;

export async function pullModel(options: PullOptions): Promise<PullResult> {
  const log = (options.logger ?? silentLogger()).child({ component: 'model-pull' });
  const doFetch = options.fetch ?? fetch;
  const partial = `${options.dest}.partial`;
  const maxResumes = options.maxResumes ?? 5;
  mkdirSync(dirname(options.dest), { recursive: true });
  let announced: string | undefined;
  let total: number | undefined;
  let resumes = 0;

  for (;;) {
    const start = existsSync(partial) ? statSync(partial).size : 0;
    const response = await doFetch(options.url, {
      headers: start > 0 ? { range: `bytes=${start}-` } : {},
      signal: options.signal,
      redirect: 'follow',
    }).catch((err: unknown) => {
      throw downloadError(err, options.url, options.signal);
    });
    announced ??= announcedSha256(response.headers);
    if (response.status === 416 && start > 0) break; // the partial file is already complete
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw new ModelError(`model download from ${options.url} failed: HTTP ${response.status}`, {
        code: 'model_download_failed',
        retryable: response.status >= 500 || response.status === 429,
        hint:
          response.status === 404
            ? 'check the model reference or URL'
            : 'try `conjecture model pull` again later',
      });
    }
    const from = response.status === 206 ? start : 0;
    total = totalLength(response, from) ?? total;
    checkDisk(dirname(options.dest), total === undefined ? 0 : total - from, options.freeBytes);
    if (from > 0) log.info({ from, total }, 'resuming model download');
    let received = from;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        options.onProgress?.({ receivedBytes: received, totalBytes: total, resumedFrom: from });
        done(null, chunk);
      },
    });
    try {
      if (!response.body) throw new Error('empty response body');
      await pipeline(
        Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
        counter,
        createWriteStream(partial, { flags: from > 0 ? 'a' : 'w' }),
      );
      if (total === undefined || received >= total) break;
      throw new Error(`connection closed after ${received} of ${total} bytes`);
    } catch (err) {
      if (options.signal?.aborted || isAbortError(err)) throw downloadError(err, options.url, options.signal);
      if (resumes >= maxResumes)
        throw new ModelError(`model download from ${options.url} kept failing: ${(err as Error).message}`, {
          code: 'model_download_failed',
          retryable: true,
          cause: err,
          hint: 'run `conjecture model pull` again; it resumes where it stopped',
        });
      resumes++;
      log.warn({ received, total, resumes }, 'model download interrupted; resuming');
    }
  }
  return finish(options, partial, announced, resumes);
}

async function finish(
  options: PullOptions,
  partial: string,
  announced: string | undefined,
  resumes: number,
): Promise<PullResult> {
  const actual = await sha256File(partial);
  const expected = options.sha256?.toLowerCase() ?? announced;
  if (expected && expected !== actual) {
    unlinkSync(partial);
    throw new ModelError(
      `model download from ${options.url} is corrupt: sha256 ${actual}, expected ${expected}`,
      {
        code: 'model_checksum_mismatch',
        hint: 'the partial file was removed; run `conjecture model pull` again (if it repeats, the file changed upstream: check the reference)',
      },
    );
  }
  if (!expected && !options.allowUnverified) {
    unlinkSync(partial);
    throw new ModelError(`no checksum is known for ${options.url}, so the download cannot be verified`, {
      code: 'model_unverified',
      hint: 'pass --sha256 <hex> (from the publisher), or --no-verify to accept it unverified',
    });
  }
  renameSync(partial, options.dest);
  const bytes = statSync(options.dest).size;
  const verifiedBy = options.sha256 ? 'pinned' : announced ? 'server' : 'none';
  writeFileSync(
    `${options.dest}.json`,
    `${JSON.stringify({ ref: options.ref, url: options.url, sha256: actual, verifiedBy, bytes, pulledAt: new Date().toISOString() }, null, 2)}\n`,
  );
  return { path: options.dest, bytes, sha256: actual, verifiedBy, resumes };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function announcedSha256(headers: Headers): string | undefined {
  const raw = headers.get('x-linked-etag') ?? headers.get('x-checksum-sha256') ?? '';
  const hex = raw.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

function totalLength(response: Response, from: number): number | undefined {
  const range = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '');
  if (range) return Number(range[1]);
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  return Number.isFinite(length) ? from + length : undefined;
}

function checkDisk(dir: string, needed: number, freeBytes = diskFree): void {
  const free = freeBytes(dir);
  if (needed + DISK_MARGIN <= free) return;
  throw new ModelError(
    `not enough disk space in ${dir} for the model: ${formatBytes(needed)} needed, ${formatBytes(free)} free`,
    {
      code: 'disk_full',
      hint: 'free some space, or point model.embedded.cacheDir at a larger disk',
    },
  );
}

function diskFree(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

function downloadError(err: unknown, url: string, signal: AbortSignal | undefined): Error {
  if (signal?.aborted || isAbortError(err))
    return signal?.reason instanceof Error ? signal.reason : (err as Error);
  return new ModelError(`cannot download the model from ${url}: ${(err as Error).message}`, {
    code: 'model_download_failed',
    retryable: true,
    cause: err,
    hint: 'check the network connection, or download the GGUF yourself and set model.embedded.model to its path',
  });
}
