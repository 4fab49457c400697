// bench/embedded: time to first token and tokens per second of the tiny GGUF model in-process,
// against the same loaded model behind our OpenAI-compatible endpoint (`conjecture model serve`)
// used through the production client over loopback HTTP, streamed, in the same run. Each prompt
// starts with a fresh nonce so every call evaluates its whole prompt (no KV-cache reuse).
// Target (issue 9): the in-process path is not slower (tokens/s ratio >= 1, TTFT ratio <= 1).
// Run: node bench/embedded.ts [iterations] [maxTokens]
import { modelSchema } from '../src/config/schema.ts';
import { silentLogger } from '../src/core/log.ts';
import type { ChatMessage, Model } from '../src/core/model.ts';
import { startModelEndpoint } from '../src/model/embedded/endpoint.ts';
import { createOpenAIModel } from '../src/model/openai-model.ts';
import { loadTinyModel, tinyModelFile } from '../test/support/gguf-model.ts';
import { summarize } from './stats.ts';

const iterations = Number(process.argv[2] ?? 20);
const maxTokens = Number(process.argv[3] ?? 128);
const file = tinyModelFile();
const model = await loadTinyModel(file.path, { maxTokens });
const endpoint = await startModelEndpoint({ model, logger: silentLogger() });
const remote = createOpenAIModel(
  modelSchema.parse({ baseUrl: endpoint.url, name: model.name, stream: true, retries: 0 }),
  { logger: silentLogger() },
);

const prompt = (i: number): ChatMessage[] => [
  { role: 'system', content: `run ${i}: You are a careful engineer. Reply with one shell command.` },
  { role: 'user', content: 'The add function in src/calc.js subtracts instead of adding. Find and fix it.' },
];

async function measure(m: Model, i: number) {
  const started = performance.now();
  let first: number | undefined;
  const c = await m.complete(prompt(i), {
    maxTokens,
    temperature: 0.8,
    seed: i,
    onToken: () => {
      first ??= performance.now();
    },
  });
  const total = performance.now() - started;
  return { ttft: (first ?? performance.now()) - started, tps: c.usage.completionTokens / (total / 1000) };
}

try {
  for (let i = 0; i < 3; i++) {
    await measure(model, 1e6 + i);
    await measure(remote, 2e6 + i);
  }
  const local = { ttft: [] as number[], tps: [] as number[] };
  const http = { ttft: [] as number[], tps: [] as number[] };
  // Interleave the two so drift on a noisy machine hits both alike.
  for (let i = 0; i < iterations; i++) {
    const a = await measure(model, 2 * i);
    local.ttft.push(a.ttft);
    local.tps.push(a.tps);
    const b = await measure(remote, 2 * i + 1);
    http.ttft.push(b.ttft);
    http.tps.push(b.tps);
  }
  const [lt, ls, ht, hs] = [local.ttft, local.tps, http.ttft, http.tps].map(summarize);
  const tpsRatio = ls!.median / hs!.median;
  const ttftRatio = lt!.median / ht!.median;
  console.log(
    `tiny GGUF (${(file.bytes.length / 1024).toFixed(0)} KiB, 1 thread), ${iterations} iterations, ${maxTokens} tokens each`,
  );
  console.log(
    `in-process      TTFT median ${lt!.median.toFixed(2)} ms  p90 ${lt!.p90.toFixed(2)} ms   ${ls!.median.toFixed(0)} tokens/s`,
  );
  console.log(
    `HTTP endpoint   TTFT median ${ht!.median.toFixed(2)} ms  p90 ${ht!.p90.toFixed(2)} ms   ${hs!.median.toFixed(0)} tokens/s`,
  );
  console.log(`tokens/s ratio in-process/HTTP ${tpsRatio.toFixed(3)} (target >= 1)`);
  console.log(`TTFT ratio in-process/HTTP ${ttftRatio.toFixed(3)} (target <= 1)`);
  process.exitCode = tpsRatio >= 1 && ttftRatio <= 1 ? 0 : 1;
} finally {
  await endpoint.close();
  await model.dispose();
}
