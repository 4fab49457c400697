/**
 * The one configuration schema. Every source (user file, repo file, env, flags) is merged and
 * then parsed by `configSchema`; the repo file is first checked against `repoConfigSchema`, which
 * leaves out what a repository must not decide for the host (secrets, network, root, queue).
 */
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();

export const DEFAULT_MODEL = 'granite4:tiny-h';
export const DEFAULT_BASE_URL = 'http://127.0.0.1:11434/v1';
export const DEFAULT_IMAGE = 'conjecture-sandbox:0.1.0';
/** Files that steer Conjecture itself: protected from patches by default (THREATS.md #26). */
export const STEERING_PATHS = ['.github/conjecture.yml', '.github/conjecture.yaml'];
/** A reference in src/model/embedded/catalog.ts. */
export const DEFAULT_EMBEDDED_MODEL = 'granite-4.0-h-tiny:Q4_K_M';

export const priceSchema = z
  .object({
    inputPerMTokUsd: nonNegative.describe('USD per million prompt tokens'),
    outputPerMTokUsd: nonNegative.describe('USD per million completion tokens'),
  })
  .strict();

/** The in-process runtime (node-llama-cpp) used by provider `embedded`, or by `auto` when no server answers. */
export const embeddedSchema = z
  .object({
    model: z
      .string()
      .min(1)
      .default(DEFAULT_EMBEDDED_MODEL)
      .describe('a GGUF file path, or a reference from `conjecture model list` downloaded on first use'),
    cacheDir: z.string().optional().describe('where pulled models are kept; defaults to <stateDir>/models'),
    contextSize: positiveInt
      .optional()
      .describe('context tokens to allocate; defaults to model.contextWindow'),
    gpuLayers: z
      .number()
      .int()
      .min(-1)
      .default(-1)
      .describe('layers offloaded to the GPU; -1 chooses automatically, 0 keeps the model on the CPU'),
    threads: z.number().int().min(0).default(0).describe('CPU threads; 0 chooses automatically'),
    batchSize: positiveInt.optional().describe('prompt tokens evaluated per batch; defaults automatically'),
    autoPull: z.boolean().default(true).describe('download a missing model reference on first use'),
    thoughtMaxChars: positiveInt
      .max(1_999)
      .default(1_500)
      .describe(
        'characters of reasoning the model may write before its bash tool call (llama.cpp grammars allow at most 1999)',
      ),
  })
  .strict();

export const modelSchema = z
  .object({
    provider: z.enum(['openai-compatible', 'embedded', 'auto']).default('auto'),
    baseUrl: z.url().default(DEFAULT_BASE_URL).describe('OpenAI-compatible endpoint, ending in /v1'),
    apiKey: z.string().optional().describe('secret; local servers ignore it'),
    name: z.string().min(1).default(DEFAULT_MODEL),
    temperature: z.number().min(0).max(2).default(0),
    maxTokens: positiveInt.default(2048).describe('completion tokens per call'),
    seed: z.number().int().optional(),
    contextWindow: positiveInt
      .optional()
      .describe(
        'context tokens for the agent; defaults to what the server serves (Ollama, llama.cpp, LM Studio, vLLM), else 32768',
      ),
    requestTimeoutMs: positiveInt.default(300_000),
    retries: z.number().int().min(0).max(10).default(4),
    stream: z.boolean().default(true),
    price: priceSchema.optional().describe('price table for cost accounting'),
    embedded: embeddedSchema.prefault({}),
  })
  .strict();

export const agentSchema = z
  .object({
    actionFormat: z.enum(['tool_call', 'text']).default('text'),
    stepLimit: positiveInt.default(40),
    tokenLimit: positiveInt.default(1_000_000).describe('prompt + completion tokens per attempt'),
    costLimitUsd: nonNegative.default(0).describe('0 means no limit'),
    wallClockMs: positiveInt.default(30 * 60_000),
    commandTimeoutMs: positiveInt.default(120_000),
    maxObservationChars: positiveInt.default(8_000),
    maxFormatErrors: positiveInt.default(3),
    attempts: z.number().int().min(1).max(16).default(1),
    parallelAttempts: z.boolean().default(false),
    promptsDir: z.string().optional().describe('directory overriding the bundled prompt templates'),
  })
  .strict();

export const validateSchema = z
  .object({
    enabled: z.boolean().default(true),
    testCommand: z.string().min(1).optional().describe('overrides discovery'),
    setupCommand: z.string().min(1).optional().describe('installs dependencies; may use the network'),
    timeoutMs: positiveInt.default(15 * 60_000),
    fixRounds: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(2)
      .describe('times failing tests go back to the agent'),
  })
  .strict();

export const sandboxSchema = z
  .object({
    runtime: z.enum(['docker', 'local']).default('docker'),
    allowLocal: z.boolean().default(false).describe('the local runtime has no isolation; development only'),
    dockerSocket: z.string().default('/var/run/docker.sock'),
    image: z.string().min(1).default(DEFAULT_IMAGE),
    workdir: z.string().startsWith('/').default('/workspace'),
    user: z.string().default('1000:1000'),
    network: z.boolean().default(false),
    networkReason: z.string().optional(),
    allowRoot: z.boolean().default(false),
    rootReason: z.string().optional(),
    memoryMb: positiveInt.default(4096),
    cpus: z.number().positive().default(2),
    pids: positiveInt.default(512),
    tmpfsMb: positiveInt.default(1024),
    workspaceMb: positiveInt
      .default(4096)
      .describe(
        'size limit of /workspace (a loop-mounted filesystem; needs a root worker, else only logged)',
      ),
    maxPatchMb: positiveInt
      .default(10)
      .describe('largest change taken out of the workspace; a bigger one fails the attempt'),
    setupNetwork: z
      .boolean()
      .default(true)
      .describe('the setup step (dependency install) may reach sandbox.setupAllow through the egress proxy'),
    setupAllow: z
      .array(z.string().min(1))
      .default(['*'])
      .describe(
        'host[:port] the setup step may reach (port 443 unless given); * is any public address; loopback, private and link-local addresses only when named',
      ),
    pipIndexUrl: z
      .url()
      .optional()
      .describe(
        "the package index (PEP 503 simple) pip uses in the setup step, instead of pip's default; an http:// index is trusted; its host must be in sandbox.setupAllow",
      ),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.network && !s.networkReason)
      ctx.addIssue({
        code: 'custom',
        path: ['networkReason'],
        message: 'network: true needs a networkReason',
      });
    if (s.allowRoot && !s.rootReason)
      ctx.addIssue({ code: 'custom', path: ['rootReason'], message: 'allowRoot: true needs a rootReason' });
  });

export const githubSchema = z
  .object({
    appId: z.string().optional(),
    privateKey: z.string().optional().describe('secret; PEM'),
    privateKeyPath: z
      .string()
      .optional()
      .describe('a PEM file read when github.privateKey is unset (Probot: PRIVATE_KEY_PATH)'),
    webhookSecret: z.string().optional().describe('secret'),
    apiUrl: z.url().default('https://api.github.com'),
    triggerLabel: z.string().min(1).default('conjecture'),
    minPermission: z.enum(['admin', 'maintain', 'write', 'triage']).default('write'),
    allowBots: z.array(z.string()).default([]),
    draft: z.boolean().default(true),
    onValidationFailure: z.enum(['comment', 'draft_pr']).default('comment'),
    maxDeletedFiles: z.number().int().min(0).default(5),
    protectedPaths: z.array(z.string()).default(['.github/workflows/**', ...STEERING_PATHS]),
    requestReview: z.boolean().default(true),
    checkRun: z.boolean().default(true),
    pushMode: z.enum(['branch', 'fork']).default('branch'),
    forkOwner: z
      .string()
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'a GitHub organization login')
      .optional(),
  })
  .strict()
  .refine((g) => g.pushMode !== 'fork' || g.forkOwner !== undefined, {
    path: ['forkOwner'],
    message: 'github.pushMode fork needs github.forkOwner: the organization the app forks into',
  });

export const queueSchema = z
  .object({
    backend: z.enum(['sqlite', 'redis']).default('sqlite'),
    sqlitePath: z.string().optional().describe('defaults to <stateDir>/jobs.sqlite'),
    redisUrl: z.string().optional(),
    concurrency: positiveInt.default(1),
    perRepository: positiveInt.default(1),
    perInstallation: positiveInt.default(2),
    maxAttempts: positiveInt.default(3),
    leaseMs: positiveInt.default(60_000),
  })
  .strict();

export const serverSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(3000),
    apiTokenHashes: z.array(z.string()).default([]).describe('sha256 hex of accepted bearer tokens'),
    shutdownGraceMs: positiveInt.default(30_000),
    webhookMaxBytes: positiveInt.default(25 * 1024 * 1024),
    headersTimeoutMs: positiveInt.default(10_000),
    bodyTimeoutMs: positiveInt.default(30_000),
  })
  .strict();

export const rateLimitSchema = z
  .object({
    perInstallationPerHour: positiveInt.default(30),
    perUserPerHour: positiveInt.default(10),
    refusalRepliesPerHour: positiveInt.default(1),
  })
  .strict();

/**
 * Cloud list prices (USD per million tokens, as published in 2024) the cost report compares the
 * local model's tokens against. Examples to replace with the tables you care about.
 */
export const DEFAULT_PRICE_TABLES = {
  'gpt-4o': { inputPerMTokUsd: 2.5, outputPerMTokUsd: 10 },
  'gpt-4o-mini': { inputPerMTokUsd: 0.15, outputPerMTokUsd: 0.6 },
  'claude-3.5-sonnet': { inputPerMTokUsd: 3, outputPerMTokUsd: 15 },
};

export const reportSchema = z
  .object({
    priceTables: z
      .record(z.string().min(1), priceSchema)
      .default(DEFAULT_PRICE_TABLES)
      .describe('cloud price tables the cost report prices the same tokens at, by name'),
  })
  .strict();

export const configSchema = z
  .object({
    stateDir: z.string().optional().describe('defaults to ~/.conjecture'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    model: modelSchema.prefault({}),
    agent: agentSchema.prefault({}),
    validate: validateSchema.prefault({}),
    sandbox: sandboxSchema.prefault({}),
    github: githubSchema.prefault({}),
    queue: queueSchema.prefault({}),
    server: serverSchema.prefault({}),
    rateLimit: rateLimitSchema.prefault({}),
    report: reportSchema.prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/**
 * The keys `.github/conjecture.yml` may contain, never secrets, endpoints, network, root, or where
 * the host keeps its state. How each meets the operator's value (a choice, a ceiling it may only
 * lower, or ignored) is `applyRepoConfig` in repo-policy.ts.
 */
export const repoConfigSchema = z
  .object({
    model: z
      .object({ name: z.string().min(1), temperature: z.number().min(0).max(2), maxTokens: positiveInt })
      .partial()
      .strict()
      .optional(),
    agent: agentSchema.omit({ promptsDir: true }).partial().optional(),
    validate: validateSchema.partial().optional(),
    sandbox: z
      .object({
        image: z.string().min(1),
        memoryMb: positiveInt,
        cpus: z.number().positive(),
        pids: positiveInt,
        tmpfsMb: positiveInt,
      })
      .partial()
      .strict()
      .optional(),
    github: z
      .object({
        draft: z.boolean(),
        onValidationFailure: z.enum(['comment', 'draft_pr']),
        maxDeletedFiles: z.number().int().min(0),
        protectedPaths: z.array(z.string()),
        requestReview: z.boolean(),
        checkRun: z.boolean(),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

export type RepoConfig = z.infer<typeof repoConfigSchema>;

/** Dotted paths whose values are secrets: masked by `config print`, redacted from traces. */
export const SECRET_PATHS = ['model.apiKey', 'github.privateKey', 'github.webhookSecret'] as const;
