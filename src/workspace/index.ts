export { git, gitEnv } from './git.ts';
export {
  type Checkout,
  type CheckoutOptions,
  chownTree,
  chownWorkingTree,
  createWorkspaceCache,
  mirrorName,
  type WorkspaceCache,
} from './mirror-cache.ts';
export {
  type AppliedCheckout,
  applyPatch,
  BRANCH_PREFIX,
  exportWorkingTree,
  extractPatch,
  pushBranch,
} from './patch.ts';
export {
  checkPatchPolicy,
  type FileChange,
  globToRegExp,
  type PatchSummary,
  type PatchViolation,
  summarizePatch,
} from './patch-policy.ts';
export { readTreeFile, type TreeFile } from './tree-file.ts';
