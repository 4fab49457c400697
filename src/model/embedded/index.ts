export {
  type CachedModel,
  isModelPath,
  listCachedModels,
  modelCacheDir,
  modelFileFor,
  pullTarget,
  removeCachedModel,
  resolveModelFile,
} from './cache.ts';
export { CATALOG, type CatalogEntry, cacheFileName, findCatalogEntry } from './catalog.ts';
export {
  formatBytes,
  type PullOptions,
  type PullProgress,
  type PullResult,
  pullModel,
  sha256File,
} from './download.ts';
export { createEmbeddedModel, type EmbeddedModel } from './embedded-model.ts';
export {
  createModelEndpointHandler,
  type Endpoint,
  type EndpointHandlerOptions,
  type EndpointOptions,
  isLoopbackHost,
  startModelEndpoint,
} from './endpoint.ts';
export { assessMemory, ensureMemoryFits, type MemoryFit, type MemoryNeed } from './memory.ts';
export {
  type ChooseOptions,
  chooseProvider,
  LOCAL_SERVERS,
  type OpenedModel,
  openConfiguredModel,
  type ProviderChoice,
} from './provider.ts';
export {
  type EmbeddedRuntime,
  type EmbeddedSettings,
  estimateMemory,
  getSharedLlama,
  loadEmbeddedRuntime,
} from './runtime.ts';
