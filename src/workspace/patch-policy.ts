/**
 * What a patch changes, and whether the host accepts it: protected paths (workflows by default,
 * THREATS.md #13) and a cap on deleted files (poisoned "delete everything" instructions, #21).
 */
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
}

export function summarizePatch(patch: string): PatchSummary {
  const files: FileChange[] = [];
  let current: FileChange | null = null;
  let inHunk = false;
  for (const line of patch.split('\n')) {
    const header = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
    if (header) {
      current = { path: header[2]!, kind: 'modified', binary: false, additions: 0, deletions: 0 };
      files.push(current);
      inHunk = false;
      continue;
    }
    if (!current) continue;
    if (!inHunk) {
      if (line.startsWith('new file mode')) current.kind = 'added';
      else if (line.startsWith('deleted file mode')) current.kind = 'deleted';
      else if (line.startsWith('rename from ')) {
        current.kind = 'renamed';
        current.oldPath = line.slice('rename from '.length);
      } else if (line.startsWith('rename to ')) current.path = line.slice('rename to '.length);
      else if (line.startsWith('GIT binary patch') || line.startsWith('Binary files')) current.binary = true;
      else if (line.startsWith('@@')) inHunk = true;
      continue;
    }
    if (line.startsWith('+')) current.additions++;
    else if (line.startsWith('-')) current.deletions++;
  }
  return {
    files,
    additions: files.reduce((s, f) => s + f.additions, 0),
    deletions: files.reduce((s, f) => s + f.deletions, 0),
  };
}

export interface PatchViolation {
  rule: 'protected_path' | 'too_many_deletions' | 'empty';
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
  const deleted = summary.files.filter((f) => f.kind === 'deleted').length;
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
  return new RegExp(`^${re}$`, 'i');
}
