// The dependency rules `npm test` checks (dependency-cruiser): no import cycles, and imports only
// downwards through the layers of the pipeline. docs/architecture.md says what lives where.
//
// Lowest first. A folder may import its own files and any folder listed before it, never one
// after it. `sweep` (a generic worker pool) imports nothing of ours; `own-model` (watchModel)
// sits just below `core`, whose graph runs (a Keras graph's critic) train under its instrument.
const LAYERS = [
  ['util', 'version.ts'],
  ['config'],
  ['data'],
  ['model'],
  ['engine'],
  ['watch'],
  ['train'],
  ['diagnose'],
  ['report'],
  ['sweep'],
  ['own-model'],
  ['core'],
  ['cli'],
  ['bench', 'index.ts'],
];

const path = (name) => (name.endsWith('.ts') ? `^src/${name.replace('.', '\\.')}$` : `^src/${name}/`);

const layerRules = LAYERS.flatMap((names, i) => {
  const above = LAYERS.slice(i + 1).flat();
  return names.map((name) => ({
    name: `layer-order:${name}`,
    comment: `${name} may import only ${LAYERS.slice(0, i).flat().join(', ') || 'itself'} (and, for a folder, itself)`,
    severity: 'error',
    from: { path: path(name) },
    to: { path: [...above, ...names.filter((n) => n !== name)].map(path) },
  }));
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No two files may import each other, directly or through others (type-only imports count: move shared types out).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'sweep-is-generic',
      comment: 'sweep/ is a worker pool for any job: it imports nothing else of ours.',
      severity: 'error',
      from: { path: '^src/sweep/' },
      to: { path: '^src/', pathNot: '^src/sweep/' },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    // Type-only imports are dependencies too: a cycle through types is still a knot.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.build.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
