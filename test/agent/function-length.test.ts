/**
 * The agent stays a set of small steps (issue 17): no function in src/agent/ is longer than 40
 * lines, counted from its first to its last line with the TypeScript compiler's own parse.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const AGENT_DIR = join(import.meta.dirname, '../../src/agent');
const MAX_LINES = 40;

interface FunctionSpan {
  name: string;
  lines: number;
}

function functionSpans(fileName: string, text: string): FunctionSpan[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const spans: FunctionSpan[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      spans.push({ name: functionName(node, source), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return spans;
}

function functionName(node: ts.Node, source: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(source);
  const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  return `anonymous function at line ${line}`;
}

describe('src/agent function length', () => {
  it(`has no function longer than ${MAX_LINES} lines`, () => {
    const files = readdirSync(AGENT_DIR).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    const tooLong = files.flatMap((file) =>
      functionSpans(file, readFileSync(join(AGENT_DIR, file), 'utf8'))
        .filter((f) => f.lines > MAX_LINES)
        .map((f) => `${file}: ${f.name} has ${f.lines} lines`),
    );
    expect(tooLong).toEqual([]);
  });

  it('measures what it claims: a 41-line function is caught, nested arrows included', () => {
    const body = Array.from({ length: 39 }, (_, i) => `  const a${i} = ${i};`).join('\n');
    const spans = functionSpans(
      'x.ts',
      `export function long() {\n${body}\n}\nconst f = () => {\n  return 1;\n};\n`,
    );
    expect(spans).toEqual([
      { name: 'long', lines: 41 },
      { name: 'anonymous function at line 42', lines: 3 },
    ]);
  });
});
