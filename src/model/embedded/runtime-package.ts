/**
 * node-llama-cpp is not a dependency of the package (issue 13: its prebuilt binaries for every GPU
 * would make `npm install conjecture-app` ~850 MB). It is an optional peer: used where it is already
 * installed (a checkout's devDependencies, or the user's own install), otherwise installed on first
 * use — `conjecture model pull` or the first run of the embedded provider — into `<model cache>/runtime`
 * with only the CPU binary for this platform, plus the CUDA one when an NVIDIA driver is present.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ModelError } from '../../core/errors.ts';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

/** The version the package is tested with (package.json devDependencies, the peer range's floor). */
export const RUNTIME_VERSION = '3.21.1';

export interface RuntimeInstallOptions {
  /** Where to install: `<model cache>/runtime`. */
  dir: string;
  /** One line of npm's progress at a time. */
  onProgress?: (line: string) => void;
  /** Injected for tests: the command that installs (default `npm`). */
  npm?: string;
  env?: NodeJS.ProcessEnv;
}

export function runtimeDir(modelCacheDir: string): string {
  return join(modelCacheDir, 'runtime');
}

let loaded: NodeLlamaCpp | undefined;

/** node-llama-cpp from a normal import, else from `dir`; undefined when neither has it. */
export async function findNodeLlamaCpp(dir?: string): Promise<NodeLlamaCpp | undefined> {
  if (loaded) return loaded;
  try {
    loaded = (await import('node-llama-cpp')) as NodeLlamaCpp;
    return loaded;
  } catch (err) {
    if (!isModuleMissing(err)) throw err;
  }
  const entry = dir ? installedEntry(dir) : undefined;
  if (!entry) return undefined;
  loaded = (await import(pathToFileURL(entry).href)) as NodeLlamaCpp;
  return loaded;
}

/** node-llama-cpp, installing it into `options.dir` first when it is not there. */
export async function ensureNodeLlamaCpp(options: RuntimeInstallOptions): Promise<NodeLlamaCpp> {
  const found = await findNodeLlamaCpp(options.dir);
  if (found) return found;
  await installRuntime(options);
  const after = await findNodeLlamaCpp(options.dir);
  if (!after)
    throw new ModelError(`node-llama-cpp was installed into ${options.dir} but cannot be loaded`, {
      code: 'embedded_runtime_unavailable',
      hint: `remove ${options.dir} and run \`conjecture model pull\` again`,
    });
  return after;
}

function installedEntry(dir: string): string | undefined {
  const pkgDir = join(dir, 'node_modules', 'node-llama-cpp');
  try {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
      exports?: { '.'?: { import?: string; default?: string } };
      main?: string;
    };
    const rel = pkg.exports?.['.']?.import ?? pkg.exports?.['.']?.default ?? pkg.main ?? 'dist/index.js';
    const entry = join(pkgDir, rel);
    return existsSync(entry) ? entry : undefined;
  } catch {
    return undefined;
  }
}

function isModuleMissing(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** The prebuilt binaries this machine needs, as node-llama-cpp names its optional packages. */
export async function binaryPackages(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
  hasNvidiaGpu: () => Promise<boolean> = nvidiaDriverPresent,
): Promise<string[]> {
  const os = platform === 'darwin' ? 'mac' : platform === 'win32' ? 'win' : platform;
  if (os === 'mac') return [`@node-llama-cpp/mac-${arch === 'arm64' ? 'arm64-metal' : arch}`];
  const cpu = `@node-llama-cpp/${os}-${arch}`;
  if (arch === 'x64' && (os === 'linux' || os === 'win') && (await hasNvidiaGpu()))
    return [cpu, `${cpu}-cuda`, `${cpu}-cuda-ext`];
  return [cpu];
}

async function nvidiaDriverPresent(): Promise<boolean> {
  try {
    await promisify(execFile)('nvidia-smi', ['-L'], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/** Installs node-llama-cpp and this machine's binaries into `options.dir` with npm. */
export async function installRuntime(options: RuntimeInstallOptions): Promise<void> {
  mkdirSync(options.dir, { recursive: true });
  const manifest = join(options.dir, 'package.json');
  if (!existsSync(manifest))
    writeFileSync(
      manifest,
      `${JSON.stringify({ name: 'conjecture-embedded-runtime', private: true }, null, 2)}\n`,
    );
  const specs = [
    `node-llama-cpp@${RUNTIME_VERSION}`,
    ...(await binaryPackages()).map((p) => `${p}@${RUNTIME_VERSION}`),
  ];
  // Optional dependencies omitted: they are the binaries for every GPU; the wanted ones are named.
  // No install scripts: node-llama-cpp's would try to build llama.cpp when no binary matches.
  const args = ['install', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts', ...specs];
  options.onProgress?.(`installing ${specs.join(' ')} into ${options.dir}`);
  const { code, output } = await run(options.npm ?? 'npm', args, options);
  if (code === 0) return;
  const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|network/i.test(output);
  throw new ModelError(
    offline
      ? `cannot install the embedded runtime (node-llama-cpp ${RUNTIME_VERSION}): the package registry is unreachable`
      : `installing the embedded runtime (node-llama-cpp ${RUNTIME_VERSION}) failed: ${lastLines(output)}`,
    {
      code: 'embedded_runtime_unavailable',
      hint: offline
        ? `connect to the registry and run \`conjecture model pull\` again, or install it yourself: npm install node-llama-cpp@${RUNTIME_VERSION}; or use a model server (model.provider: openai-compatible)`
        : `install it yourself: cd ${options.dir} && npm install ${specs.join(' ')}`,
    },
  );
}

function run(
  command: string,
  args: string[],
  options: RuntimeInstallOptions,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, {
      cwd: options.dir,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-20_000);
      for (const line of text.split('\n')) if (line.trim()) options.onProgress?.(line.trim());
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => resolve({ code: 127, output: `${output}\n${err.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ').slice(0, 400);
}
