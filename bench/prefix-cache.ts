// bench/prefix-cache: how much prompt a prefix-caching local server must evaluate per agent step,
// divided by what the step appended (1.0 = perfect reuse), and how often the cached prefix is lost.
// (a) the agent against the scripted OpenAI-compatible endpoint, 40 steps × 6 KB of output in a
//     32768-token window; baseline: the same episode with the old context policy (elide one more
//     old observation before every call), measured in the same run.
// (b) the embedded runtime (node-llama-cpp in process) on the tiny GGUF with Granite 4.0's chat
//     template: prompt tokens its token meter says it evaluated per step, against those appended;
//     baseline: the same episode rewriting one more old observation before every call.
// Target: <= 1.5× for every section. Run: node bench/prefix-cache.ts [embeddedSteps] [embeddedBytes]

import { measureRuntimeEpisode, type RuntimeMeter, runtimeRatio } from './prefix-cache/embedded-runtime.ts';
import { charRatio, type PrefixMeter, tokenRatio } from './prefix-cache/meter.ts';
import { measureScriptedEpisode } from './prefix-cache/scripted-endpoint.ts';

const TARGET = 1.5;

/** One part of the bench; each prints its own lines and says whether it met the target. */
interface Section {
  name: string;
  run(): Promise<{ lines: string[]; ok: boolean }>;
}

const describe = (m: PrefixMeter) =>
  `${m.requests} requests, ${m.invalidations} prefix invalidations; evaluated ${m.evaluatedChars} chars / ` +
  `${m.appendedChars} appended = ${charRatio(m).toFixed(2)}×; tokens ${m.evaluatedTokens} / ${m.appendedTokens} = ` +
  `${tokenRatio(m).toFixed(2)}×`;

const scriptedEndpoint: Section = {
  name: '(a) scripted endpoint, 40 steps × 6 KB output, contextWindow 32768',
  async run() {
    const episode = { steps: 40, outputBytes: 6 * 1024, contextWindow: 32_768 };
    const before = await measureScriptedEpisode({ ...episode, compactTo: 1 });
    const after = await measureScriptedEpisode(episode);
    const others: string[] = [];
    for (const contextWindow of [4096, 8192, 16_384]) {
      const old = await measureScriptedEpisode({ ...episode, contextWindow, compactTo: 1 });
      const now = await measureScriptedEpisode({ ...episode, contextWindow });
      others.push(
        `contextWindow ${contextWindow} (not gated; before = elide before every call, same observation cap): ${charRatio(now).toFixed(2)}× with ${now.invalidations} ` +
          `invalidations, before ${charRatio(old).toFixed(2)}× with ${old.invalidations}`,
      );
    }
    return {
      lines: [
        `before (elide before every call): ${describe(before)}`,
        `after (append-only, rare compaction): ${describe(after)}`,
        `after/before: chars ${(charRatio(after) / charRatio(before)).toFixed(3)}, tokens ` +
          `${(tokenRatio(after) / tokenRatio(before)).toFixed(3)}, invalidations ${after.invalidations} vs ${before.invalidations}`,
        ...others,
      ],
      ok: charRatio(after) <= TARGET && tokenRatio(after) <= TARGET,
    };
  },
};

const describeRuntime = (m: RuntimeMeter) =>
  `${m.calls} calls, ${m.invalidations} prefix invalidations; evaluated ${m.evaluatedTokens} tokens / ` +
  `${m.appendedTokens} appended = ${runtimeRatio(m).toFixed(2)}×`;

const embeddedRuntime: Section = {
  name: '(b) embedded runtime, tiny GGUF with Granite 4.0 chat template, bash tool calls',
  async run() {
    // The tiny model's tokenizer is mostly bytes (a 512-byte output is ~500 tokens) and a busy CPU
    // evaluates it at a few hundred tokens a second: the episode is shorter than (a)'s.
    const steps = Number(process.argv[2] ?? 10);
    const outputBytes = Number(process.argv[3] ?? 512);
    const [{ loadTinyModel, tinyGraniteModelFile }] = await Promise.all([
      import('../test/support/gguf-model.ts'),
    ]);
    const model = await loadTinyModel(tinyGraniteModelFile(8192).path, { maxTokens: 128, contextSize: 8192 });
    try {
      const before = await measureRuntimeEpisode(model, {
        steps,
        outputBytes,
        rewriteOldest: { keepWhole: 3 },
      });
      const after = await measureRuntimeEpisode(model, { steps, outputBytes });
      return {
        lines: [
          `episode: ${steps} steps × ${outputBytes} B of output`,
          `before (rewrite one more old observation before every call): ${describeRuntime(before)}`,
          `after (append-only): ${describeRuntime(after)}`,
          `after/before: ${(runtimeRatio(after) / runtimeRatio(before)).toFixed(3)}`,
        ],
        ok: runtimeRatio(after) <= TARGET,
      };
    } finally {
      await model.dispose();
    }
  },
};

const sections: Section[] = [scriptedEndpoint, embeddedRuntime];

let ok = true;
for (const section of sections) {
  const result = await section.run();
  console.log(section.name);
  for (const line of result.lines) console.log(`  ${line}`);
  ok &&= result.ok;
}
console.log(`target <= ${TARGET}× in every section: ${ok ? 'met' : 'MISSED'}`);
process.exitCode = ok ? 0 : 1;
