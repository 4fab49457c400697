// Writes docs/configuration.md from the config schema (src/cli/config-docs.ts).
//   node scripts/gen-config-docs.ts          regenerate
//   node scripts/gen-config-docs.ts --check  exit 1 when the committed file is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigDocs } from '../src/cli/config-docs.ts';

const target = new URL('../docs/configuration.md', import.meta.url);
const text = renderConfigDocs();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== text) {
    process.stderr.write('docs/configuration.md is stale: run node scripts/gen-config-docs.ts\n');
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
