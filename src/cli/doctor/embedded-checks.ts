/**
 * Doctor checks when the provider is `embedded` or `auto`: which provider a run will use (and why),
 * the hardware node-llama-cpp found (GPU type, CPU threads), whether the model file is there, and the
 * memory it is expected to need against what is free. With `auto` choosing a server, the embedded
 * lines say so and pass.
 */
import { existsSync, statSync } from 'node:fs';
import { freemem } from 'node:os';
import type { Config } from '../../config/schema.ts';
import { silentLogger } from '../../core/log.ts';
import type { ProviderChoice } from '../../model/embedded/provider.ts';
import type { DoctorCheck } from './check.ts';

export function embeddedChecks(settings: Config['model'], stateDir: string, cwd: string): DoctorCheck[] {
  let choice: Promise<ProviderChoice> | undefined;
  const getChoice = () => {
    choice ??= import('../../model/embedded/provider.ts').then((p) => p.chooseProvider(settings));
    return choice;
  };
  const modelFile = async () => {
    const { modelCacheDir, modelFileFor } = await import('../../model/embedded/cache.ts');
    return modelFileFor(settings.embedded.model, modelCacheDir(settings.embedded, stateDir), cwd);
  };
  const usingServer = async () => {
    const c = await getChoice();
    return c.provider === 'openai-compatible' ? c.baseUrl : undefined;
  };
  return [
    {
      id: 'model-provider',
      title: 'model provider',
      required: true,
      async run() {
        const c = await getChoice();
        const where =
          c.provider === 'openai-compatible' ? ` at ${c.baseUrl}` : ` (${settings.embedded.model})`;
        return { status: 'pass', message: `model provider: ${c.provider}${where}: ${c.reason}` };
      },
    },
    {
      id: 'embedded-hardware',
      title: 'embedded runtime',
      required: true,
      after: 'model-provider',
      async run() {
        const server = await usingServer();
        if (server) return { status: 'pass', message: `embedded runtime not needed (${server} is used)` };
        const [{ getSharedLlama }, { findNodeLlamaCpp, runtimeDir }, { modelCacheDir }] = await Promise.all([
          import('../../model/embedded/runtime.ts'),
          import('../../model/embedded/runtime-package.ts'),
          import('../../model/embedded/cache.ts'),
        ]);
        const dir = runtimeDir(modelCacheDir(settings.embedded, stateDir));
        // An optional peer: not installed yet is what a fresh `npm install conjecture-app` gives.
        if (!(await findNodeLlamaCpp(dir)))
          return {
            status: 'warn',
            message: `embedded runtime (node-llama-cpp) not installed yet; the first embedded run installs it into ${dir}`,
            fix: 'conjecture model pull (installs it now, CPU binary only, with the model)',
          };
        const llama = await getSharedLlama(silentLogger(), dir);
        const gpu = llama.gpu ? `GPU ${llama.gpu}` : 'no GPU (CPU only)';
        return { status: 'pass', message: `embedded runtime: ${gpu}, ${llama.cpuMathCores} CPU threads` };
      },
    },
    {
      id: 'embedded-model',
      title: 'embedded model',
      required: true,
      after: 'embedded-hardware',
      async run() {
        if (await usingServer()) return { status: 'pass', message: 'embedded model not needed' };
        const [path, { findCatalogEntry }, { formatBytes }] = await Promise.all([
          modelFile(),
          import('../../model/embedded/catalog.ts'),
          import('../../model/embedded/download.ts'),
        ]);
        if (!existsSync(path)) {
          const entry = findCatalogEntry(settings.embedded.model);
          const size = entry ? ` (~${formatBytes(entry.approxBytes)})` : '';
          return settings.embedded.autoPull && entry
            ? {
                status: 'warn',
                message: `model ${entry.ref} is not downloaded yet${size}; the first run pulls it`,
                fix: `conjecture model pull ${entry.ref}`,
              }
            : {
                status: 'fail',
                message: `model file ${path} is missing`,
                fix: 'set model.embedded.model to a GGUF path or a reference from `conjecture model list --available`',
              };
        }
        const { getSharedLlama, estimateMemory } = await import('../../model/embedded/runtime.ts');
        const { assessMemory } = await import('../../model/embedded/memory.ts');
        const llama = await getSharedLlama(silentLogger());
        const need = await estimateMemory(llama, path, settings.embedded, settings.contextWindow);
        const fit = assessMemory(need, freemem() + (llama.gpu ? (await llama.getVramState()).free : 0));
        const message = `model ${path} (${formatBytes(statSync(path).size)}): expected memory ${formatBytes(fit.requiredBytes)} with a ${need.contextSize}-token context, ${formatBytes(fit.freeBytes)} free`;
        return fit.fits
          ? { status: 'pass', message }
          : {
              status: 'fail',
              message,
              fix: 'use granite-4.0-micro:Q4_K_M or a smaller quantization, or lower model.embedded.contextSize',
            };
      },
    },
  ];
}
