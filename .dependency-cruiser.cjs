/**
 * The import rules of docs/architecture.md, checked by test/architecture/import-rules.test.ts
 * (`npx depcruise src --config .dependency-cruiser.cjs`). Two kinds of rule:
 *
 * - Layers: each folder of src/ may import only the folders listed for it in LAYERS (and itself).
 *   The table is checked to be acyclic when this file loads, so no two folders can import each other.
 * - Construction: only src/cli/ (the composition root) opens queues, starts workers and servers and
 *   builds models and sandboxes; everyone else is handed them (types from core/ or a folder's types).
 *
 * Type-only imports count for the layers (a type is a dependency too) but not for construction.
 */

/** Folder → the folders it may import, bottom layer first. `cli` may import anything. */
const LAYERS = {
  core: [],
  config: ['core'],
  trace: ['core'],
  jobs: ['core'],
  workspace: ['core'],
  sandbox: ['core', 'config'],
  model: ['core', 'config'],
  agent: ['core', 'config'],
  validate: ['core', 'config', 'sandbox'],
  run: ['core', 'config', 'agent', 'sandbox', 'trace', 'validate', 'workspace'],
  github: ['core', 'run', 'trace', 'validate', 'workspace'],
  app: ['core', 'config', 'github', 'jobs', 'run', 'trace', 'validate', 'workspace'],
  server: ['core', 'config', 'github', 'jobs', 'trace'],
  eval: ['core', 'config', 'agent', 'github', 'jobs', 'run', 'sandbox', 'trace', 'validate', 'workspace'],
  work: ['core', 'config', 'app', 'eval', 'github', 'jobs', 'run', 'server'],
};

/** Throws when a folder can reach itself through LAYERS (a cycle between folders). */
function assertAcyclic(layers) {
  const state = new Map();
  const visit = (folder, path) => {
    if (state.get(folder) === 'done') return;
    if (state.get(folder) === 'open') throw new Error(`LAYERS has a cycle: ${[...path, folder].join(' → ')}`);
    state.set(folder, 'open');
    for (const below of layers[folder] ?? []) visit(below, [...path, folder]);
    state.set(folder, 'done');
  };
  for (const folder of Object.keys(layers)) visit(folder, []);
}
assertAcyclic(LAYERS);

const ours = (folders) => `^src/(${folders.join('|')})/`;
const notType = { dependencyTypesNot: ['type-only'] };

const layerRules = Object.entries(LAYERS).map(([folder, allowed]) => ({
  name: `layer-${folder}`,
  comment: `src/${folder}/ may import only ${allowed.length ? allowed.map((f) => `${f}/`).join(', ') : 'npm packages and Node'} (docs/architecture.md)`,
  severity: 'error',
  from: { path: `^src/${folder}/` },
  to: { path: '^src/', pathNot: ours([folder, ...allowed]) },
}));

const constructionRules = [
  {
    name: 'core-imports-nothing-of-ours',
    comment: 'core/ holds the domain types and seams; it imports nothing from src/',
    from: { path: '^src/core/' },
    to: { path: '^src/', pathNot: '^src/core/' },
  },
  {
    name: 'app-imports-neither-server-nor-model',
    comment: 'app/ is the Probot handlers and the GitHub job; the front and the model are wired in cli/',
    from: { path: '^src/app/' },
    to: { path: '^src/(server|model)/' },
  },
  {
    name: 'only-cli-opens-queues',
    comment: 'queues and rate-limit stores are opened in cli/ and handed over as JobQueue / RateLimiter',
    from: { pathNot: ours(['cli', 'jobs']) },
    to: { path: '^src/jobs/(open|rate-limit-stores|sqlite/queue|redis/queue)\\.ts$', ...notType },
  },
  {
    name: 'only-cli-starts-workers',
    comment: 'workers (and the job handlers they run, from work/) are registered in cli/compose',
    from: { pathNot: ours(['cli', 'jobs']) },
    to: { path: '^src/jobs/worker\\.ts$', ...notType },
  },
  {
    name: 'only-cli-starts-servers',
    comment: 'the one-port front, the API server and the webhook endpoint are put together in cli/compose',
    from: { pathNot: ours(['cli', 'server']) },
    to: { path: '^src/server/(index|front|api-server|public-server|webhook-endpoint)\\.ts$', ...notType },
  },
  {
    name: 'only-cli-builds-models',
    comment: 'model clients, the embedded runtime and its endpoint are built in cli/; others get a core Model',
    from: { pathNot: ours(['cli', 'model']) },
    to: { path: '^src/model/', ...notType },
  },
  {
    name: 'only-cli-builds-sandbox-runtimes',
    comment: 'the Docker and local sandbox runtimes are built in cli/; others get a core SandboxProvider',
    from: { pathNot: ours(['cli', 'sandbox']) },
    to: { path: '^src/sandbox/(docker-sandbox|local-sandbox|docker-api)\\.ts$', ...notType },
  },
  {
    name: 'no-circular',
    comment: 'no module reaches itself through imports that run (type-only cycles are harmless)',
    from: {},
    to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
  },
].map((rule) => ({ severity: 'error', ...rule }));

module.exports = {
  forbidden: [...constructionRules, ...layerRules],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
