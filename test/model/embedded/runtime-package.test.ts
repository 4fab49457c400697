/**
 * Which node-llama-cpp packages the first-use install asks for: the CPU binary for this platform
 * (plus CUDA's when an NVIDIA driver is present), named as node-llama-cpp's own optional packages,
 * at the version the package is tested with.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binaryPackages, RUNTIME_VERSION } from '../../../src/model/embedded/runtime-package.ts';

const root = new URL('../../../', import.meta.url);
const ours = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};
const llama = JSON.parse(readFileSync(new URL('node_modules/node-llama-cpp/package.json', root), 'utf8')) as {
  optionalDependencies: Record<string, string>;
};

describe('the embedded runtime as an optional peer', () => {
  it('is an optional peer (and a devDependency for tests), not a dependency, at RUNTIME_VERSION', () => {
    expect(ours.dependencies['node-llama-cpp']).toBeUndefined();
    expect(ours.peerDependenciesMeta['node-llama-cpp']?.optional).toBe(true);
    expect(ours.peerDependencies['node-llama-cpp']).toBe(RUNTIME_VERSION);
    expect(ours.devDependencies['node-llama-cpp']).toBe(RUNTIME_VERSION);
  });

  it('asks for the CPU binary only, or CUDA too when an NVIDIA driver answers', async () => {
    const none = async () => false;
    const nvidia = async () => true;
    expect(await binaryPackages('linux', 'x64', none)).toEqual(['@node-llama-cpp/linux-x64']);
    expect(await binaryPackages('linux', 'arm64', nvidia)).toEqual(['@node-llama-cpp/linux-arm64']);
    expect(await binaryPackages('linux', 'x64', nvidia)).toEqual([
      '@node-llama-cpp/linux-x64',
      '@node-llama-cpp/linux-x64-cuda',
      '@node-llama-cpp/linux-x64-cuda-ext',
    ]);
    expect(await binaryPackages('darwin', 'arm64', none)).toEqual(['@node-llama-cpp/mac-arm64-metal']);
    expect(await binaryPackages('win32', 'x64', none)).toEqual(['@node-llama-cpp/win-x64']);
  });

  it('names only packages node-llama-cpp really publishes, at its own pinned version', async () => {
    const cases: [NodeJS.Platform, string, boolean][] = [
      ['linux', 'x64', true],
      ['linux', 'arm64', false],
      ['darwin', 'arm64', false],
      ['darwin', 'x64', false],
      ['win32', 'x64', true],
      ['win32', 'arm64', false],
    ];
    for (const [platform, arch, gpu] of cases)
      for (const name of await binaryPackages(platform, arch, async () => gpu))
        expect(llama.optionalDependencies[name], `${platform}/${arch}: ${name}`).toBe(RUNTIME_VERSION);
  });
});
