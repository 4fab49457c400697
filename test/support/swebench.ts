/**
 * The SWE-bench data sets the evaluator's integration tests run on, found relative to the repository
 * (`../shared/swebench-js`, `../shared/swebench-py` beside the checkout, as on every developer machine
 * and CI runner). They ship their repositories packed (git bundles; a tarred bare repository for
 * sympy); the mirrors the harness clones from are built from those on first use and cached under the
 * ignored `.conjecture/swebench/` (or TEST_SWEBENCH_CACHE), keyed by the packs' content hash, so
 * a changed pack rebuilds.
 *
 * Concurrency: vitest runs files in parallel and several checkouts may share a machine. A build goes
 * into a private temp dir and appears under its final name only by an atomic rename, so no reader
 * ever sees a half-built mirror; a lock file makes concurrent builders wait instead of repeating work.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const SHARED = join(REPO_ROOT, '..', 'shared');
/** Where built mirrors are kept; TEST_SWEBENCH_CACHE moves it (e.g. to share it between checkouts). */
const CACHE = process.env.TEST_SWEBENCH_CACHE ?? join(REPO_ROOT, '.conjecture', 'swebench');

/** A data set ready for the harness: its instances file and the directory of `<owner>__<name>.git` mirrors. */
export interface SwebenchData {
  dataset: string;
  mirrorDir: string;
}

interface DataSpec {
  name: string;
  /** The packed repositories (file names under `<name>/mirrors/`). */
  packs: string[];
  /** Unpacks one pack into `into`, creating `<owner>__<name>.git` there. */
  unpack(pack: string, into: string): Promise<void>;
}

const JS: DataSpec = {
  name: 'swebench-js',
  packs: ['anuraghazra__github-readme-stats.bundle', 'expressjs__express.bundle', 'iamkun__dayjs.bundle'],
  unpack: async (pack, into) => {
    await run('git', ['clone', '--mirror', '--quiet', pack, join(into, `${basename(pack, '.bundle')}.git`)]);
  },
};

const PY: DataSpec = {
  name: 'swebench-py',
  packs: ['sympy__sympy.git.tar.gz'],
  unpack: async (pack, into) => {
    await run('tar', ['-xzf', pack, '-C', into, '--no-same-owner']);
    if (!existsSync(join(into, 'sympy__sympy.git', 'HEAD')))
      throw new Error(`${pack} did not unpack to sympy__sympy.git`);
  },
};

/** npm in the setup containers needs the host's CA bundle where TLS is intercepted. */
export const CA_BUNDLE = existsSync('/etc/ssl/certs/ca-certificates.crt')
  ? '/etc/ssl/certs/ca-certificates.crt'
  : undefined;
/** Dependency installs are cached here across runs. */
export const EVAL_CACHE = process.env.CONJECTURE_EVAL_CACHE ?? join(tmpdir(), 'conjecture-eval-cache');

const dataDir = (spec: DataSpec) => join(SHARED, spec.name);

/** Why the data set cannot be used here (a repository-relative account of what is missing), or null. */
function missing(spec: DataSpec): string | null {
  const dir = dataDir(spec);
  const shown = `../shared/${spec.name}`;
  if (!existsSync(join(dir, 'dev.jsonl'))) return `${shown}/dev.jsonl not found beside the repository`;
  const packs = existsSync(join(dir, 'mirrors')) ? readdirSync(join(dir, 'mirrors')) : [];
  const absent = spec.packs.filter((p) => !packs.includes(p));
  if (absent.length > 0) return `${shown}/mirrors lacks ${absent.join(', ')}`;
  return null;
}

export const missingSwebenchJs = (): string | null => missing(JS);
export const missingSwebenchPy = (): string | null => missing(PY);

/** swebench-js (16 JavaScript instances) with its mirrors built; call in `beforeAll`. */
export const swebenchJsData = (): Promise<SwebenchData> => ready(JS);
/** swebench-py (6 sympy instances of SWE-bench Verified) with its mirror unpacked; call in `beforeAll`. */
export const swebenchPyData = (): Promise<SwebenchData> => ready(PY);

const building = new Map<string, Promise<SwebenchData>>();

function ready(spec: DataSpec): Promise<SwebenchData> {
  let pending = building.get(spec.name);
  if (!pending) {
    pending = build(spec);
    building.set(spec.name, pending);
    pending.catch(() => building.delete(spec.name));
  }
  return pending;
}

async function build(spec: DataSpec): Promise<SwebenchData> {
  const why = missing(spec);
  if (why) throw new Error(`${spec.name}: ${why}`);
  const dir = dataDir(spec);
  const packs = spec.packs.map((p) => join(dir, 'mirrors', p));
  const mirrorDir = join(CACHE, `${spec.name}-${await contentHash(packs)}`);
  const data = { dataset: join(dir, 'dev.jsonl'), mirrorDir };
  if (existsSync(mirrorDir)) return data;
  await mkdir(CACHE, { recursive: true });
  await withLock(`${mirrorDir}.lock`, async () => {
    if (existsSync(mirrorDir)) return; // built by whoever held the lock before us
    // Holding the lock, any other temp dir of this key is a dead builder's.
    const prefix = `${basename(mirrorDir)}.tmp-`;
    for (const entry of readdirSync(CACHE).filter((e) => e.startsWith(prefix)))
      await rm(join(CACHE, entry), { recursive: true, force: true });
    const temp = join(dirname(mirrorDir), `${prefix}${process.pid}`);
    await mkdir(temp);
    try {
      for (const pack of packs) await spec.unpack(pack, temp);
      await rename(temp, mirrorDir).catch((error: unknown) => {
        if (!existsSync(mirrorDir)) throw error; // else another builder won the race: use theirs
      });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  });
  return data;
}

async function contentHash(files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file.split('/').pop()}\0`);
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Runs `fn` holding an exclusive lock file (created with O_EXCL, holding the owner's pid). A lock
 * whose owner is gone, or older than `staleMs`, is taken over.
 */
async function withLock<T>(path: string, fn: () => Promise<T>, staleMs = 10 * 60_000): Promise<T> {
  const deadline = Date.now() + 2 * staleMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(path, staleMs)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${path}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}

async function isStale(path: string, staleMs: number): Promise<boolean> {
  try {
    const [owner, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const pid = Number(owner);
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - info.mtimeMs > 5_000; // still being written
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // ESRCH: the owner is gone. ENOENT: released meanwhile, so just try again.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
