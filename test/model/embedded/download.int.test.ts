/**
 * `model pull` against a real HTTP server on 127.0.0.1 serving the tiny GGUF: progress, resume with a
 * Range request after the server drops the connection mid-file, checksum mismatch → a clear error
 * and no partial file left, the server-announced checksum, the disk check, and first-use pulls.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedSchema } from '../../../src/config/schema.ts';
import { ModelError } from '../../../src/core/errors.ts';
import { listCachedModels, removeCachedModel, resolveModelFile } from '../../../src/model/embedded/cache.ts';
import { type PullProgress, pullModel } from '../../../src/model/embedded/download.ts';
import { buildTinyGguf } from '../../support/gguf.ts';

const model = buildTinyGguf();
const body = Buffer.from(model.bytes);

interface FileServer {
  url: string;
  ranges: (string | undefined)[];
  close(): Promise<void>;
}

let servers: FileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** Serves `body` with Range support; the first `drops` responses die after `dropAt` bytes. */
async function serveFile(
  options: { drops?: number; dropAt?: number; headers?: Record<string, string> } = {},
) {
  const ranges: (string | undefined)[] = [];
  let drops = options.drops ?? 0;
  const server: Server = createServer((req, res) => {
    ranges.push(req.headers.range);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const headers = { 'content-type': 'application/octet-stream', ...options.headers };
    if (m)
      res.writeHead(206, {
        ...headers,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'content-length': body.length - start,
      });
    else res.writeHead(200, { ...headers, 'content-length': body.length });
    if (drops > 0) {
      drops--;
      res.write(body.subarray(start, options.dropAt));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const s: FileServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/tiny.gguf`,
    ranges,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(s);
  return s;
}

const cacheDir = () => mkdtempSync(join(tmpdir(), 'model-cache-'));

describe('pulling a model over HTTP', () => {
  it('downloads, reports progress, verifies the checksum and records where it came from', async () => {
    const server = await serveFile();
    const dir = cacheDir();
    const events: PullProgress[] = [];
    const result = await pullModel({
      url: server.url,
      dest: join(dir, 'tiny.gguf'),
      sha256: model.sha256,
      ref: 'tiny',
      onProgress: (p) => events.push(p),
    });
    expect(result).toMatchObject({
      bytes: body.length,
      sha256: model.sha256,
      verifiedBy: 'pinned',
      resumes: 0,
    });
    expect(readFileSync(result.path).equals(body)).toBe(true);
    expect(events.at(-1)).toEqual({ receivedBytes: body.length, totalBytes: body.length, resumedFrom: 0 });
    expect(events.map((e) => e.receivedBytes)).toEqual(
      [...events.map((e) => e.receivedBytes)].sort((a, b) => a - b),
    );
    expect(listCachedModels(dir)).toEqual([
      expect.objectContaining({ file: 'tiny.gguf', ref: 'tiny', bytes: body.length, url: server.url }),
    ]);
    expect(removeCachedModel(dir, 'tiny.gguf')).toHaveLength(2);
    expect(listCachedModels(dir)).toEqual([]);
  });

  it('resumes with a Range request after the server drops the connection mid-file', async () => {
    const half = Math.floor(body.length / 2);
    const server = await serveFile({ drops: 1, dropAt: half });
    const events: PullProgress[] = [];
    const result = await pullModel({
      url: server.url,
      dest: join(cacheDir(), 'tiny.gguf'),
      sha256: model.sha256,
      onProgress: (p) => events.push(p),
    });
    expect(result.resumes).toBe(1);
    expect(server.ranges[0]).toBeUndefined();
    expect(server.ranges[1]).toBe(`bytes=${half}-`);
    expect(events.some((e) => e.resumedFrom === half)).toBe(true);
    expect(readFileSync(result.path).equals(body)).toBe(true);
  });

  it('resumes a partial file left by an earlier run', async () => {
    const server = await serveFile();
    const dest = join(cacheDir(), 'tiny.gguf');
    writeFileSync(`${dest}.partial`, body.subarray(0, 1000));
    const result = await pullModel({ url: server.url, dest, sha256: model.sha256 });
    expect(server.ranges).toEqual(['bytes=1000-']);
    expect(result.sha256).toBe(model.sha256);
  });

  it('rejects a checksum mismatch with a clear error and removes the partial file', async () => {
    const server = await serveFile();
    const dest = join(cacheDir(), 'tiny.gguf');
    const err = await pullModel({ url: server.url, dest, sha256: 'ab'.repeat(32) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('model_checksum_mismatch');
    expect((err as ModelError).message).toContain(model.sha256);
    expect((err as ModelError).hint).toContain('partial file was removed');
    expect(existsSync(`${dest}.partial`)).toBe(false);
    expect(existsSync(dest)).toBe(false);
  });

  it('verifies against the checksum the server announces, and refuses a file with none', async () => {
    const announced = await serveFile({ headers: { 'x-linked-etag': `"${model.sha256}"` } });
    const ok = await pullModel({ url: announced.url, dest: join(cacheDir(), 'a.gguf') });
    expect(ok.verifiedBy).toBe('server');
    const plain = await serveFile();
    const dest = join(cacheDir(), 'b.gguf');
    await expect(pullModel({ url: plain.url, dest })).rejects.toMatchObject({ code: 'model_unverified' });
    expect(existsSync(`${dest}.partial`)).toBe(false);
    const accepted = await pullModel({ url: plain.url, dest, allowUnverified: true });
    expect(accepted.verifiedBy).toBe('none');
  });

  it('checks the disk before writing', async () => {
    const server = await serveFile();
    const dest = join(cacheDir(), 'tiny.gguf');
    const err = await pullModel({ url: server.url, dest, sha256: model.sha256, freeBytes: () => 1024 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'disk_full' });
    expect((err as ModelError).hint).toContain('model.embedded.cacheDir');
  });

  it('pulls a configured model URL once, on first use, then finds it in the cache', async () => {
    const server = await serveFile({ headers: { 'x-linked-etag': model.sha256 } });
    const settings = embeddedSchema.parse({ model: server.url, cacheDir: cacheDir() });
    const first = await resolveModelFile(settings, '/unused', { cwd: '/' });
    expect(first.pulled?.sha256).toBe(model.sha256);
    const second = await resolveModelFile(settings, '/unused', { cwd: '/' });
    expect(second).toEqual({ path: first.path });
    expect(server.ranges).toHaveLength(1);
    expect(createHash('sha256').update(readFileSync(second.path)).digest('hex')).toBe(model.sha256);
  });
});
