/**
 * The OpenAPI 3.1 description served at `/api/v1/openapi.json`, generated from the zod schemas the
 * handlers parse with. Request bodies are described as input (defaults optional), responses as output.
 */
import { z } from 'zod';
import {
  createJobRequestSchema,
  errorSchema,
  issueInputSchema,
  jobListSchema,
  jobOptionsSchema,
  jobSchema,
  jobStateSchema,
  readinessSchema,
} from './schemas.ts';

const INPUT = {
  CreateJobRequest: createJobRequestSchema,
  IssueInput: issueInputSchema,
  JobOptions: jobOptionsSchema,
};
const OUTPUT = {
  Job: jobSchema,
  JobList: jobListSchema,
  JobState: jobStateSchema,
  Error: errorSchema,
  Readiness: readinessSchema,
};

function components(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries({ ...INPUT, ...OUTPUT })) registry.add(schema, { id });
  const uri = (id: string) => `#/components/schemas/${id}`;
  const input = z.toJSONSchema(registry, { uri, io: 'input' }).schemas;
  const output = z.toJSONSchema(registry, { uri, io: 'output' }).schemas;
  const out: Record<string, unknown> = {};
  for (const id of Object.keys(INPUT)) out[id] = strip(input[id]);
  for (const id of Object.keys(OUTPUT)) out[id] = strip(output[id]);
  return out;
}

/** Component schemas must not carry `$id`/`$schema`: the document is their base. */
function strip(schema: unknown): unknown {
  const { $id: _id, $schema: _schema, ...rest } = schema as Record<string, unknown>;
  return rest;
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string, description: string) => ({
  description,
  content: { 'application/json': { schema: ref(id) } },
});
const errors = {
  '401': json('Error', 'missing or unknown bearer token'),
  '404': json('Error', 'no such job'),
};
const jobId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

export function buildOpenApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Conjecture API',
      version,
      description: 'Submit issues as jobs, follow them, read their traces, cancel them.',
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'configured as sha256 digests in server.apiTokenHashes',
        },
      },
      schemas: components(),
    },
    paths: {
      '/api/v1/jobs': {
        post: {
          operationId: 'createJob',
          summary: 'Queue a job for an issue',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              schema: { type: 'string', maxLength: 200 },
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('CreateJobRequest') } },
          },
          responses: {
            '201': json('Job', 'queued'),
            '200': json('Job', 'an earlier job with the same idempotency key'),
            '400': json('Error', 'the body does not match CreateJobRequest'),
            '401': errors['401'],
            '413': json('Error', 'body too large'),
            '415': json('Error', 'not application/json'),
          },
        },
        get: {
          operationId: 'listJobs',
          summary: 'Jobs, newest first',
          parameters: [
            { name: 'state', in: 'query', schema: ref('JobState') },
            { name: 'repo', in: 'query', schema: { type: 'string' } },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            },
            {
              name: 'before',
              in: 'query',
              schema: { type: 'string' },
              description: 'nextBefore of the previous page',
            },
          ],
          responses: {
            '200': json('JobList', 'one page of jobs'),
            '400': json('Error', 'bad query'),
            '401': errors['401'],
          },
        },
      },
      '/api/v1/jobs/{id}': {
        get: {
          operationId: 'getJob',
          parameters: [jobId],
          responses: { '200': json('Job', 'the job'), ...errors },
        },
      },
      '/api/v1/jobs/{id}/trace': {
        get: {
          operationId: 'getJobTrace',
          summary:
            'The agent trace: JSONL, or rendered as Markdown with ?format=markdown or Accept: text/markdown',
          parameters: [
            jobId,
            { name: 'format', in: 'query', schema: { type: 'string', enum: ['jsonl', 'markdown'] } },
          ],
          responses: {
            '200': {
              description: 'the trace',
              content: {
                'application/x-ndjson': { schema: { type: 'string' } },
                'text/markdown': { schema: { type: 'string' } },
              },
            },
            ...errors,
            '404': json('Error', 'no such job, or it has no trace yet'),
          },
        },
      },
      '/api/v1/jobs/{id}/patch': {
        get: {
          operationId: 'getJobPatch',
          summary: 'The patch the run produced (a unified diff, empty when it produced none)',
          parameters: [jobId],
          responses: {
            '200': { description: 'the diff', content: { 'text/x-diff': { schema: { type: 'string' } } } },
            ...errors,
            '404': json('Error', 'no such job, or it has no artifacts yet'),
          },
        },
      },
      '/api/v1/jobs/{id}/cancel': {
        post: {
          operationId: 'cancelJob',
          summary: 'Cancel a queued or running job (a running job has its container stopped)',
          parameters: [jobId],
          responses: {
            '202': json('Job', 'cancel accepted'),
            '409': json('Error', 'the job already ended'),
            ...errors,
          },
        },
      },
      '/healthz': {
        get: {
          operationId: 'health',
          security: [],
          responses: { '200': { description: 'the process is alive' } },
        },
      },
      '/readyz': {
        get: {
          operationId: 'ready',
          security: [],
          responses: { '200': json('Readiness', 'ready'), '503': json('Readiness', 'a dependency is down') },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          security: [],
          responses: {
            '200': {
              description: 'Prometheus text format 0.0.4',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
    },
  };
}
