export {
  type ApiFixPayload,
  type ApiQueue,
  createPatchReader,
  createTraceReader,
  repoSlug,
  type TraceReader,
  toEnqueueRequest,
} from './api-queue.ts';
export {
  type ApiServer,
  type ApiServerOptions,
  createApiServer,
  type ListeningServer,
} from './api-server.ts';
export {
  type AuthResult,
  type BearerAuth,
  createBearerAuth,
  generateApiToken,
  hashApiToken,
} from './auth.ts';
export { createFront, type FrontHandlers } from './front.ts';
export { instrumentJobHandler, instrumentModel, instrumentSandboxes } from './instrument.ts';
export { API_PREFIX, toJobView } from './job-routes.ts';
export { type ConjectureMetrics, createConjectureMetrics, type QueueSnapshot } from './metrics.ts';
export { createMetricsRegistry, type MetricsRegistry } from './metrics-registry.ts';
export { buildOpenApiDocument } from './openapi.ts';
export { createPublicServer, type PublicServerOptions } from './public-server.ts';
export {
  dockerReadiness,
  functionReadiness,
  modelReadiness,
  type ReadinessCheck,
  type ReadinessReport,
  runReadiness,
} from './readiness.ts';
export { type CreateJobRequest, createJobRequestSchema, type JobView } from './schemas.ts';
export { MAX_TRACE_BYTES, readTraceFile } from './trace-file.ts';
export {
  createWebhookEndpoint,
  DEFAULT_WEBHOOK_MAX_BYTES,
  isWebhookRequest,
  WEBHOOK_PATH,
  type WebhookEndpointOptions,
} from './webhook-endpoint.ts';
