// bench/intake/abuse-soak: the abuse soak of issue 14 at a larger size than the CI test
// (test/app/abuse-soak.int.test.ts): `conjecture serve --no-worker` as a child process on loopback
// takes [total] concurrent hostile requests (aborted and reset uploads, slow-loris headers and
// bodies, oversized bodies, bad and missing signatures, malformed and truncated JSON, odd-but-signed
// payloads) with [valid] valid signed deliveries among them. The baseline, measured in the same run,
// is the latency of valid deliveries on the quiet server before the storm; the ratio is the latency
// right after the storm against it.
// Targets: the server stays up; RSS grows by < 300 MB; every acknowledged (200) delivery is stored
// exactly once, none twice, nothing else stored; no error-level log line; latency right after <= 5x
// quiet (or under 100 ms). Past what the machine can take, valid deliveries are shed with 408 or cut
// (GitHub redelivers those; a redelivery is de-duplicated): the figures say how many.
// Run: node bench/intake/abuse-soak.ts [total] [valid]
import { formatSoakReport, runAbuseSoak } from '../../test/support/abuse-soak.ts';

const total = Number(process.argv[2] ?? 5_000);
const valid = Number(process.argv[3] ?? 500);
const RSS_BOUND_MB = 300;

const report = await runAbuseSoak({ total, valid, probes: 40 });
console.log(formatSoakReport(report));
const ratio = report.latencyMs.afterP50 / report.latencyMs.baselineP50;
console.log(`ratio: latency right after / quiet = ${ratio.toFixed(2)}`);
const misses = [
  !report.serverAlive && 'the server did not stay up',
  report.rssMb.peak - report.rssMb.start >= RSS_BOUND_MB && `RSS grew by ${RSS_BOUND_MB} MB or more`,
  (report.validStored < report.validAcknowledged || report.duplicateStored > 0 || report.strayStored > 0) &&
    'an acknowledged delivery was not stored exactly once',
  report.serverErrorLines.length > 0 && `${report.serverErrorLines.length} error-level log lines`,
  report.latencyMs.afterP50 > Math.max(5 * report.latencyMs.baselineP50, 100) && 'slow right after the storm',
].filter(Boolean);
for (const m of misses) console.log(`MISSED: ${m}`);
process.exitCode = misses.length > 0 ? 1 : 0;
