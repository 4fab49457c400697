/**
 * A structural reader for declarative Jenkinsfiles: enough of Groovy's lexical rules (comments, the
 * four string forms, slashy regexes after `==~`) to find the `name(args) { … }` blocks of a
 * declarative pipeline and check them against the directives Jenkins' declarative syntax allows.
 * No JVM or Jenkins is available here, so this checks structure, not Groovy semantics.
 */

export interface Block {
  name: string;
  args: string;
  children: Block[];
  /** Text directly inside the block that is not a child block (steps, settings). */
  body: string;
  line: number;
}

/** String literals in source order: the quote form (`'''`, `"""`, `'`, `"`) and the raw text. */
export interface StringLiteral {
  quote: string;
  text: string;
  line: number;
}

interface Scan {
  /** The source with comments removed and every string literal replaced by `S<index>`. */
  code: string;
  strings: StringLiteral[];
}

const QUOTES = ["'''", '"""', "'", '"'];

function scan(source: string): Scan {
  let code = '';
  const strings: StringLiteral[] = [];
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    if (rest.startsWith('//')) {
      const end = source.indexOf('\n', i);
      i = end === -1 ? source.length : end;
      continue;
    }
    if (rest.startsWith('/*')) {
      const end = source.indexOf('*/', i + 2);
      if (end === -1) throw new Error(`line ${line}: unterminated comment`);
      line += source.slice(i, end).split('\n').length - 1;
      i = end + 2;
      continue;
    }
    const quote = QUOTES.find((q) => rest.startsWith(q));
    if (quote) {
      let j = i + quote.length;
      while (j < source.length && !source.startsWith(quote, j)) j += source[j] === '\\' ? 2 : 1;
      if (j >= source.length) throw new Error(`line ${line}: unterminated string`);
      const text = source.slice(i + quote.length, j);
      strings.push({ quote, text, line });
      code += `S${strings.length - 1}`;
      line += text.split('\n').length - 1;
      i = j + quote.length;
      continue;
    }
    if (/==~\s*$/.test(code) && source[i] === '/') {
      const end = source.indexOf('/', i + 1);
      code += 'REGEX';
      i = end + 1;
      continue;
    }
    if (source[i] === '\n') line += 1;
    code += source[i];
    i += 1;
  }
  return { code, strings };
}

function matching(code: string, open: number, left: string, right: string): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === left) depth += 1;
    else if (code[i] === right && --depth === 0) return i;
  }
  throw new Error(`unbalanced ${left}${right}`);
}

/** Splits code into top-level blocks `name(args) { … }`; text outside blocks becomes the body. */
function blocks(code: string, lineOf: (offset: number) => number, base: number): Block[] & { body: string } {
  const out: Block[] = [];
  let body = '';
  const head = /([A-Za-z_][\w]*)\s*(\()?/y;
  let i = 0;
  while (i < code.length) {
    head.lastIndex = i;
    const m = head.exec(code);
    if (!m) {
      if (code[i] === '{' || code[i] === '}') throw new Error(`line ${lineOf(base + i)}: unbalanced {}`);
      body += code[i];
      i += 1;
      continue;
    }
    let j = i + m[0].length;
    let args = '';
    if (m[2]) {
      const close = matching(code, j - 1, '(', ')');
      args = code.slice(j, close);
      j = close + 1;
    }
    const brace = /\s*\{/y;
    brace.lastIndex = j;
    if (brace.exec(code)) {
      const open = brace.lastIndex - 1;
      const close = matching(code, open, '{', '}');
      const inner = blocks(code.slice(open + 1, close), lineOf, base + open + 1);
      out.push({ name: m[1] ?? '', args, children: [...inner], body: inner.body, line: lineOf(base + i) });
      i = close + 1;
    } else {
      body += code.slice(i, j);
      i = j;
    }
  }
  return Object.assign(out, { body });
}

export function parseJenkinsfile(source: string): { blocks: Block[]; strings: StringLiteral[] } {
  const { code, strings } = scan(source);
  const lineOf = (offset: number) => code.slice(0, offset).split('\n').length;
  return { blocks: [...blocks(code, lineOf, 0)], strings };
}

/** Directives of declarative Pipeline syntax (jenkins.io/doc/book/pipeline/syntax). */
const PIPELINE_SECTIONS = new Set([
  'agent',
  'environment',
  'options',
  'parameters',
  'triggers',
  'tools',
  'libraries',
  'stages',
  'post',
]);
const STAGE_SECTIONS = new Set([
  'agent',
  'environment',
  'options',
  'tools',
  'input',
  'when',
  'steps',
  'stages',
  'parallel',
  'matrix',
  'post',
]);
const POST_CONDITIONS = new Set([
  'always',
  'changed',
  'fixed',
  'regression',
  'aborted',
  'failure',
  'success',
  'unstable',
  'unsuccessful',
  'cleanup',
]);

/** Every way the file departs from declarative Pipeline structure; empty when it conforms. */
export function declarativeProblems(source: string): string[] {
  const problems: string[] = [];
  const { blocks: top } = parseJenkinsfile(source);
  const pipeline = top.find((b) => b.name === 'pipeline');
  if (top.length !== 1 || !pipeline) return ['the file must hold exactly one top-level `pipeline { }` block'];
  const sections = new Map(pipeline.children.map((c) => [c.name, c]));
  for (const c of pipeline.children)
    if (!PIPELINE_SECTIONS.has(c.name))
      problems.push(`line ${c.line}: \`${c.name}\` is not a pipeline section`);
  if (!sections.has('agent') && !/\bagent\s+(any|none)\b/.test(pipeline.body))
    problems.push('pipeline has no agent');
  const stages = sections.get('stages');
  if (!stages) problems.push('pipeline has no stages');
  else checkStages(stages, problems);
  for (const c of sections.get('post')?.children ?? [])
    if (!POST_CONDITIONS.has(c.name)) problems.push(`line ${c.line}: \`${c.name}\` is not a post condition`);
  return problems;
}

function checkStages(stages: Block, problems: string[]): void {
  if (stages.children.length === 0) problems.push(`line ${stages.line}: stages is empty`);
  for (const stage of stages.children) {
    if (stage.name !== 'stage' || !/^\s*S\d+\s*$/.test(stage.args)) {
      problems.push(`line ${stage.line}: stages may hold only stage('name') blocks, found \`${stage.name}\``);
      continue;
    }
    const kinds = stage.children.map((c) => c.name);
    for (const c of stage.children)
      if (!STAGE_SECTIONS.has(c.name)) problems.push(`line ${c.line}: \`${c.name}\` is not a stage section`);
    const work = kinds.filter((k) => k === 'steps' || k === 'stages' || k === 'parallel' || k === 'matrix');
    if (work.length !== 1)
      problems.push(`line ${stage.line}: a stage needs exactly one of steps, stages, parallel or matrix`);
    const nested = stage.children.find((c) => c.name === 'stages');
    if (nested) checkStages(nested, problems);
  }
}
