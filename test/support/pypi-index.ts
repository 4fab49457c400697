/**
 * A package index for the Python end-to-end tests, made here: wheels the test builds itself (a
 * stored ZIP with the dist-info pip reads, RECORD hashes included) served as a PEP 503 "simple"
 * index on loopback. It records which files were downloaded, so a test can tell that the setup
 * phase — and only it — installed from the index.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

export interface WheelSpec {
  name: string;
  version: string;
  /** Paths inside the wheel (e.g. `tinymath/__init__.py`) and their text. */
  files: Record<string, string>;
}

const b64sha = (data: Buffer) => createHash('sha256').update(data).digest('base64url');

/** A py3-none-any wheel: the files, then METADATA, WHEEL and RECORD as pip expects them. */
export function buildWheel(spec: WheelSpec): { filename: string; data: Buffer } {
  const dist = `${spec.name.replaceAll('-', '_')}-${spec.version}.dist-info`;
  const entries: [string, Buffer][] = Object.entries(spec.files).map(([p, t]) => [p, Buffer.from(t)]);
  entries.push([
    `${dist}/METADATA`,
    Buffer.from(`Metadata-Version: 2.1\nName: ${spec.name}\nVersion: ${spec.version}\n`),
  ]);
  entries.push([
    `${dist}/WHEEL`,
    Buffer.from('Wheel-Version: 1.0\nGenerator: conjecture-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n'),
  ]);
  const record = entries.map(([p, d]) => `${p},sha256=${b64sha(d)},${d.length}`).join('\n');
  entries.push([`${dist}/RECORD`, Buffer.from(`${record}\n${dist}/RECORD,,\n`)]);
  return {
    filename: `${spec.name.replaceAll('-', '_')}-${spec.version}-py3-none-any.whl`,
    data: storedZip(entries),
  };
}

/** A ZIP archive with every entry stored (no compression), which is all a wheel needs. */
function storedZip(entries: [string, Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

export interface PackageIndex {
  /** `http://127.0.0.1:<port>/simple/` */
  url: string;
  /** `127.0.0.1:<port>`, for sandbox.setupAllow. */
  hostPort: string;
  /** Wheel files downloaded so far. */
  downloads: string[];
  close(): Promise<void>;
}

const normalize = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

/** Serves the wheels as a PEP 503 index on 127.0.0.1 (port 0); closes with the test. */
export async function startPackageIndex(wheels: WheelSpec[]): Promise<PackageIndex> {
  const built = wheels.map((w) => ({ project: normalize(w.name), ...buildWheel(w) }));
  const downloads: string[] = [];
  const page = (links: string) => `<!DOCTYPE html><html><body>\n${links}</body></html>\n`;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://index').pathname;
    const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html' }).end(body);
    if (path === '/simple/')
      return html(page(built.map((w) => `<a href="/simple/${w.project}/">${w.project}</a>\n`).join('')));
    const project = /^\/simple\/([^/]+)\/$/.exec(path)?.[1];
    const files = built.filter((w) => w.project === normalize(project ?? ''));
    if (project && files.length > 0) {
      const sha = (d: Buffer) => createHash('sha256').update(d).digest('hex');
      return html(
        page(
          files
            .map((w) => `<a href="/files/${w.filename}#sha256=${sha(w.data)}">${w.filename}</a>\n`)
            .join(''),
        ),
      );
    }
    const file = built.find((w) => path === `/files/${w.filename}`);
    if (file) {
      downloads.push(file.filename);
      return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file.data);
    }
    res.writeHead(404).end('not found\n');
  });
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    hostPort: `127.0.0.1:${port}`,
    downloads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
