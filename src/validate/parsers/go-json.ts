/**
 * `go test -json` (test2json events). Ids are `package/TestName[/subtest]`. A package that fails
 * without a test (build error, TestMain, panic at init) is recorded as `package (package)`. The
 * readable text returned is the concatenated Output fields, which is what `go test` alone prints.
 */
import type { ParsedResults } from '../types.ts';
import { createResultsBuilder } from './results.ts';

interface Event {
  Action?: string;
  Package?: string;
  ImportPath?: string;
  Test?: string;
  Output?: string;
}

export function parseGoTestJson(output: string): ParsedResults | null {
  const results = createResultsBuilder();
  const outputs = new Map<string, string[]>();
  const text: string[] = [];
  let events = 0;
  for (const line of output.split(/\r?\n/)) {
    if (!line.startsWith('{')) {
      if (line.trim()) text.push(`${line}\n`); // build errors are printed as plain text
      continue;
    }
    let e: Event;
    try {
      e = JSON.parse(line);
    } catch {
      text.push(`${line}\n`);
      continue;
    }
    events++;
    const pkg = e.Package ?? e.ImportPath ?? '';
    const id = e.Test ? `${pkg}/${e.Test}` : `${pkg} (package)`;
    if (e.Output !== undefined) {
      text.push(e.Output);
      const list = outputs.get(id) ?? [];
      list.push(e.Output);
      outputs.set(id, list);
    }
    if (e.Action === 'pass' && e.Test) results.add(id, 'passed');
    else if (e.Action === 'skip' && e.Test) results.add(id, 'skipped');
    else if (e.Action === 'fail' || e.Action === 'build-fail')
      results.add(id, 'failed', outputs.get(id)?.join(''));
  }
  return events > 0 ? results.build(text.join('')) : null;
}
