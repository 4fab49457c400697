/**
 * What a patch changes, and whether the host accepts it: protected paths (workflows by default,
 * THREATS.md #13) and a cap on deleted files (poisoned "delete everything" instructions, #21).
 * Names are read as git writes them, C-quoting included; a rename is both a deletion of its old
 * path and an addition of its new one (#28); a header whose names cannot be read is refused.
 */
import { decodeName, headerNames, sideName } from './diff-paths.ts';

export interface FileChange {
  path: string;
  oldPath?: string;
  kind: 'added' | 'modified' | 'deleted' | 'renamed';
  binary: boolean;
  additions: number;
  deletions: number;
}

export interface PatchSummary {
  files: FileChange[];
  additions: number;
  deletions: number;
  /** File headers whose names could not be read: the policy refuses such a patch. */
  unreadable?: string[];
}

export function summarizePatch(patch: string): PatchSummary {
  const files: FileChange[] = [];
  const unreadable: string[] = [];
  // `named`: the `diff --git` names could be split; `moved`: rename/copy lines named both sides.
  let current: { file: FileChange; named: boolean; moved: boolean; bad: boolean } | null = null;
  let inHunk = false;
  const finish = () => {
    if (!current) return;
    const { file, named, moved, bad } = current;
    // Git writes an unsplittable header only for a rename or copy, whose own lines name both sides.
    if (bad || !file.path || (!named && !moved))
      unreadable.push(file.path || file.oldPath || '(a file header)');
    else {
      if (file.kind === 'renamed' && file.oldPath === file.path) file.kind = 'modified';
      files.push(file);
    }
    current = null;
  };
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) {
      finish();
      const names = headerNames(line.slice('diff --git '.length));
      const file: FileChange = {
        path: names?.b ?? '',
        kind: 'modified',
        binary: false,
        additions: 0,
        deletions: 0,
      };
      if (names && names.a !== names.b) Object.assign(file, { oldPath: names.a, kind: 'renamed' });
      current = { file, named: names !== null, moved: false, bad: false };
      inHunk = false;
      continue;
    }
    if (!current) continue;
    if (!inHunk) {
      const read = readHeaderLine(current.file, line);
      if (read === 'bad') current.bad = true;
      if (read === 'moved') current.moved = true;
      if (line.startsWith('@@')) inHunk = true;
      continue;
    }
    if (line.startsWith('+')) current.file.additions++;
    else if (line.startsWith('-')) current.file.deletions++;
  }
  finish();
  return {
    files,
    additions: files.reduce((s, f) => s + f.additions, 0),
    deletions: files.reduce((s, f) => s + f.deletions, 0),
    ...(unreadable.length > 0 ? { unreadable } : {}),
  };
}

/** One extended header line (`new file mode`, `rename from`, `--- a/X`, …), names decoded. */
function readHeaderLine(file: FileChange, line: string): 'bad' | 'moved' | undefined {
  if (line.startsWith('new file mode')) file.kind = 'added';
  else if (line.startsWith('deleted file mode')) file.kind = 'deleted';
  else if (line.startsWith('GIT binary patch') || line.startsWith('Binary files')) file.binary = true;
  const moved = /^(rename|copy) (from|to) (.*)$/.exec(line);
  if (moved) {
    const name = decodeName(moved[3]!);
    if (name === null) return 'bad';
    if (moved[2] === 'to') file.path = name;
    else {
      file.oldPath = name;
      file.kind = moved[1] === 'copy' ? 'added' : 'renamed';
    }
    return moved[2] === 'to' ? 'moved' : undefined;
  }
  const side = /^(---|\+\+\+) (.*)$/.exec(line);
  if (!side) return undefined;
  const name = sideName(side[2]!, side[1] === '---' ? 'a/' : 'b/');
  if (name === undefined) return 'bad';
  if (name === null) return undefined;
  if (side[1] === '+++') file.path = name;
  else if (name !== file.path && file.oldPath === undefined) file.oldPath = name;
  return undefined;
}

export interface PatchViolation {
  rule: 'protected_path' | 'too_many_deletions' | 'empty' | 'unreadable';
  message: string;
}

export function checkPatchPolicy(
  patch: string,
  policy: { protectedPaths: string[]; maxDeletedFiles: number },
): PatchViolation[] {
  const summary = summarizePatch(patch);
  const violations: PatchViolation[] = [];
  if (summary.files.length === 0) violations.push({ rule: 'empty', message: 'the patch changes nothing' });
  const matchers = policy.protectedPaths.map((g) => ({ glob: g, re: globToRegExp(g) }));
  for (const file of summary.files) {
    for (const path of [file.path, file.oldPath].filter((p): p is string => Boolean(p))) {
      const hit = matchers.find((m) => m.re.test(path));
      if (hit)
        violations.push({
          rule: 'protected_path',
          message: `${path} matches the protected path ${hit.glob}`,
        });
    }
  }
  for (const header of summary.unreadable ?? [])
    violations.push({ rule: 'unreadable', message: `a file header of the patch cannot be read (${header})` });
  // A rename removes its old path: it counts against the deletion cap like a deletion.
  const deleted = summary.files.filter((f) => f.kind === 'deleted' || f.kind === 'renamed').length;
  if (deleted > policy.maxDeletedFiles) {
    violations.push({
      rule: 'too_many_deletions',
      message: `the patch deletes ${deleted} files; at most ${policy.maxDeletedFiles} are allowed`,
    });
  }
  return violations;
}

/** `**` any depth, `*` within one segment, `?` one character; a trailing `/` means the whole folder. */
export function globToRegExp(glob: string): RegExp {
  const g = glob.endsWith('/') ? `${glob}**` : glob;
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*' && g[i + 1] === '*') {
      re += g[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += g[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // 's': a name may hold a newline (git quotes it as \n), and `**` must still cover it.
  return new RegExp(`^${re}$`, 'is');
}
