/**
 * THREAT #33: encoded secrets. A canary standing for a host-held secret (the model API key) comes
 * out of the real sandbox hex-encoded, `xxd -p`, spaced, folded across lines, `\u`-escaped and as
 * gzip+base64 → each is redacted in the trace; and when the agent writes such forms into the
 * repository, the app (GitHub stand-in, real git, real Docker) refuses to push, saying why on the
 * issue without echoing the value.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { Sandbox } from '../../src/core/sandbox.ts';
import { createSandboxProvider, sandboxSpecFromConfig } from '../../src/sandbox/index.ts';
import { createTraceWriter, findSecrets } from '../../src/trace/index.ts';
import { type AppHarness, bash, SUBMIT, startAppHarness } from '../app/harness.ts';
import { FIX_ADD } from '../support/calc-repo.ts';
import { makeRepo } from '../support/git-repo.ts';
import { describeIf, missingDocker, SANDBOX_IMAGE } from '../support/prereq.ts';

const CANARY = 'sk-canary-Zq8wR3xT5pL0vN7kB2';
const ENCODERS: Record<string, string> = {
  hex: `printf %s '${CANARY}' | od -An -tx1 | tr -d ' \\n'`,
  'hex, upper case': `printf %s '${CANARY}' | od -An -tx1 | tr -d ' \\n' | tr a-f A-F`,
  'xxd -p (wrapped hex)': `printf %s '${CANARY}' | od -An -tx1 -w6 | tr -d ' '`,
  spaced: `printf %s '${CANARY}' | sed 's/./& /g'`,
  'split across lines': `printf %s '${CANARY}' | fold -w5`,
  '\\u-escaped': `printf %s '${CANARY}' | od -An -tx1 -v | tr -s ' \\n' ' ' | sed 's/ \\([0-9a-f][0-9a-f]\\)/\\\\u00\\1/g'`,
  'gzip+base64': `printf 'key=%s\\n' '${CANARY}' | gzip | base64`,
  'gzip+base64, wrapped at 20': `(seq 1 300; printf 'key=%s\\n' '${CANARY}') | gzip | base64 -w 20`,
  'base64 wrapped at 8': `printf 'xx %s yy' '${CANARY}' | base64 -w 8`,
};

describeIf(missingDocker(), 'THREAT #33: encoded forms of a secret', () => {
  const { config } = loadConfig({ env: { CONJECTURE_SANDBOX_IMAGE: SANDBOX_IMAGE } });
  const provider = createSandboxProvider(config, silentLogger());
  let box: Sandbox;
  beforeAll(async () => {
    box = await provider.create(sandboxSpecFromConfig(config.sandbox, makeWorkspace()));
  });
  afterAll(async () => {
    await box?.dispose();
  });

  it('hex, xxd, spaced, line-split, \\u-escaped and gzip+base64 output is redacted in the trace', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sec-enc-')), 'trace.jsonl');
    const writer = createTraceWriter(path, { secrets: [CANARY] });
    const raw: Record<string, string> = {};
    for (const [name, command] of Object.entries(ENCODERS)) {
      const r = await box.exec(command, { timeoutMs: 20_000 });
      expect(r.exitCode, `${name}: ${r.output}`).toBe(0);
      raw[name] = r.output;
      // The command text names the canary too; it is redacted like the output.
      writer.write({
        type: 'step',
        at: new Date().toISOString(),
        step: Object.keys(raw).length,
        thought: name,
        command,
        observation: r.output,
        exitCode: r.exitCode,
        timedOut: false,
        modelMs: 0,
        execMs: 0,
        usage: { promptTokens: 0, completionTokens: 0, estimated: false },
      });
    }
    const trace = readFileSync(path, 'utf8');
    for (const [name, output] of Object.entries(raw)) {
      // Unredacted, the output does hold the canary (the test would prove nothing otherwise).
      expect(findSecrets(output, [CANARY]).length, name).toBeGreaterThan(0);
      const event = trace.split('\n').find((l) => l.includes(`"thought":${JSON.stringify(name)}`))!;
      expect(event, name).toContain('[REDACTED]');
    }
    expect(findSecrets(trace, [CANARY])).toEqual([]);
    expect(trace).not.toContain(CANARY);
    // What an outsider would try on the published trace recovers nothing either.
    for (const blob of trace.match(/H4sI[A-Za-z0-9+/=]*/g) ?? [])
      expect(
        execFileSync('sh', ['-c', 'base64 -d 2>/dev/null | gzip -dc 2>/dev/null || true'], {
          input: blob,
        }).toString(),
      ).not.toContain(CANARY);
  }, 120_000);
});

function makeWorkspace(): string {
  const dir = makeRepo({ 'README.md': 'x\n' });
  execFileSync('chown', ['-R', '1000:1000', dir]);
  return dir;
}

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describeIf(missingDocker(), 'THREAT #33: the commit is scanned before any push', () => {
  for (const [name, write] of [
    ['gzip+base64 in a file', `printf 'key=%s\\n' '${CANARY}' | gzip | base64 > src/blob.txt`],
    [
      'hex in a binary file',
      `printf %s '${CANARY}' | od -An -tx1 | tr -d ' \\n' | xxd -r -p > src/blob.bin 2>/dev/null || printf '\\0\\1%s' '${CANARY}' > src/blob.bin`,
    ],
    ['split across lines', `printf %s '${CANARY}' | fold -w6 > src/notes.txt`],
  ] as const) {
    it(`a secret ${name} stops the push; the issue says why and echoes nothing`, async () => {
      h = await startAppHarness(
        [bash('Fix add.', FIX_ADD), bash('Leak.', write), SUBMIT],
        {},
        {
          CONJECTURE_MODEL_API_KEY: CANARY,
        },
      );
      await h.hook('issues', h.labeled('maintainer'));
      await h.app.idle();
      expect(h.repo.pulls.size).toBe(0);
      const branches = execFileSync('git', ['-C', h.repo.bareDir, 'branch', '--list', 'conjecture/*'], {
        encoding: 'utf8',
      });
      expect(branches.trim()).toBe('');
      const said = h.comments().join('\n');
      expect(said).toMatch(/not pushed: it contains what looks like a secret/);
      expect(findSecrets(said, [CANARY])).toEqual([]);
      expect(h.issue().labels).toContain('conjecture:failed');
    }, 180_000);
  }
});
