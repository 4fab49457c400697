// bench/sandbox-exec: per-command overhead of Sandbox.exec('true') against `docker exec <ctr> bash -c
// true` through the CLI (how mini-swe-agent runs each step), on the same container, in the same run.
// Target (issue 2): ratio <= 0.15. Run: node bench/sandbox-exec.ts [iterations]
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { silentLogger } from '../src/core/log.ts';
import { createSandboxProvider, sandboxSpecFromConfig } from '../src/sandbox/index.ts';
import { summarize } from './stats.ts';

const iterations = Number(process.argv[2] ?? 60);
const { config } = loadConfig({ env: process.env });
const dir = mkdtempSync(join(tmpdir(), 'bench-sandbox-'));
chownSync(dir, 1000, 1000);
const sandbox = await createSandboxProvider(config, silentLogger()).create(
  sandboxSpecFromConfig(config.sandbox, dir),
);
try {
  const ours: number[] = [];
  const cli: number[] = [];
  for (let i = 0; i < 5; i++) await sandbox.exec('true');
  // Interleave the two so drift on a noisy machine hits both alike.
  for (let i = 0; i < iterations; i++) {
    let t = performance.now();
    await sandbox.exec('true');
    ours.push(performance.now() - t);
    t = performance.now();
    execFileSync('docker', ['exec', sandbox.id, 'bash', '-c', 'true']);
    cli.push(performance.now() - t);
  }
  const a = summarize(ours);
  const b = summarize(cli);
  const ratio = a.median / b.median;
  console.log(`image ${config.sandbox.image}, ${iterations} iterations each`);
  console.log(`Sandbox.exec('true')            median ${a.median.toFixed(2)} ms  p90 ${a.p90.toFixed(2)} ms`);
  console.log(`docker exec <ctr> bash -c true  median ${b.median.toFixed(2)} ms  p90 ${b.p90.toFixed(2)} ms`);
  console.log(`ratio ${ratio.toFixed(3)} (target <= 0.15)`);
  process.exitCode = ratio <= 0.15 ? 0 : 1;
} finally {
  await sandbox.dispose();
}
