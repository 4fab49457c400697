#!/usr/bin/env node
// Runs the compiled CLI when installed from npm; in a source checkout Node 24 runs the TypeScript
// sources directly (type stripping), so there is no build step during development.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
const entry = existsSync(dist) ? dist : new URL('../src/cli/main.ts', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
