/**
 * Part (a) of bench/prefix-cache: the agent against the scripted OpenAI-compatible endpoint (real
 * HTTP, the production client), an episode of `steps` commands that each print `outputBytes`.
 * The requests the server received are what the meter reads.
 */
import { loadPrompts, runAgent } from '../../src/agent/index.ts';
import { agentSchema, modelSchema } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { ExecResult, Sandbox } from '../../src/core/sandbox.ts';
import { createOpenAIModel, startScriptedServer } from '../../src/model/index.ts';
import { measurePrefixReuse, type PrefixMeter } from './meter.ts';

export interface EpisodeOptions {
  steps: number;
  outputBytes: number;
  contextWindow: number;
  /** The agent's compaction target; 1 is the behaviour before issue 15 (elide before every call). */
  compactTo?: number;
}

export async function measureScriptedEpisode(options: EpisodeOptions): Promise<PrefixMeter> {
  const turns = Array.from({ length: options.steps }, (_, i) => ({
    content: `Step ${i + 1}: I will read the next part of the module.\n\`\`\`bash\nsed -n '${i * 100 + 1},${i * 100 + 100}p' src/module.py\n\`\`\``,
  }));
  const server = await startScriptedServer({ turns });
  try {
    const model = createOpenAIModel(
      modelSchema.parse({
        provider: 'openai-compatible',
        baseUrl: server.url,
        contextWindow: options.contextWindow,
      }),
      { logger: silentLogger() },
    );
    const result = await runAgent({
      model,
      sandbox: printingSandbox(options.outputBytes),
      task: {
        id: 'bench',
        repo: 'bench',
        issue: {
          title: 'parse_date drops the timezone',
          body: 'parse_date("2024-01-01T00:00+02:00") returns UTC.',
        },
      },
      settings: agentSchema.parse({ stepLimit: options.steps }),
      prompts: loadPrompts(),
      logger: silentLogger(),
      compactTo: options.compactTo,
    });
    if (result.steps !== options.steps)
      throw new Error(
        `episode ended after ${result.steps} steps: ${result.exitStatus} ${result.detail ?? ''}`,
      );
    return measurePrefixReuse(server.requests);
  } finally {
    await server.close();
  }
}

/** Each command prints `bytes` of source-like lines, different every step. */
function printingSandbox(bytes: number): Sandbox {
  let calls = 0;
  const line = (n: number) =>
    `${String(n).padStart(5)}    value_${n} = compute(${n}, factor=${(n * 7) % 13})\n`;
  return {
    id: 'printing',
    workdir: '/workspace',
    async exec(): Promise<ExecResult> {
      calls++;
      let output = '';
      for (let n = calls * 1000; output.length < bytes; n++) output += line(n);
      return {
        output: output.slice(0, bytes),
        exitCode: 0,
        timedOut: false,
        truncated: false,
        elidedBytes: 0,
        durationMs: 0,
      };
    },
    async dispose() {},
  };
}
