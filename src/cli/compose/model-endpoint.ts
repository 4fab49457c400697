/**
 * `serve --serve-model`: this process's model as an OpenAI-compatible endpoint under `/v1/` for
 * workers on other machines, behind the API's bearer tokens when any are set.
 */
import type { Config } from '../../config/schema.ts';
import { ConjectureError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Model } from '../../core/model.ts';
import { createModelEndpointHandler, isLoopbackHost } from '../../model/embedded/endpoint.ts';
import { createBearerAuth } from '../../server/index.ts';

/** Checked before anything is opened: other machines must not reach the model without a token. */
export function refuseUnprotectedModelEndpoint(config: Config, host: string): void {
  if (config.server.apiTokenHashes.length > 0 || isLoopbackHost(host)) return;
  throw new ConjectureError(`serving the model on ${host} needs a bearer token`, {
    code: 'model_endpoint_unprotected',
    hint: 'add the sha256 of a token to server.apiTokenHashes (printf %s "$TOKEN" | sha256sum), or listen on 127.0.0.1',
  });
}

export function modelEndpointOf(config: Config, model: Model, logger: Logger) {
  const hashes = config.server.apiTokenHashes;
  const auth = hashes.length > 0 ? createBearerAuth(hashes) : undefined;
  return createModelEndpointHandler({
    model,
    logger,
    authorize: auth ? (header) => auth.check(header).ok : undefined,
  });
}
