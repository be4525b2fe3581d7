// pgtop's layers, checked on every `npm test` (npm run lint:layers).
// Data flows one way: target → sources → scheduler → store → selectors →
// screen. What draws (screens, hooks, components) and the store never talk
// to PostgreSQL, Kubernetes or the file system themselves; the model is pure.
// docs/architecture.md says why each rule is there.

/** What does I/O: the database, Kubernetes, backup files, and the clients underneath. */
const IO = '^src/(db|k8s|backup)/|^node_modules/(pg|pg-connection-string|@kubernetes/client-node|ws)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'ui-not-to-io',
      severity: 'error',
      comment: 'Screens, hooks, components and the store read the store and the model, never pg, Kubernetes, src/db, src/k8s or src/backup.',
      from: { path: '^(screens|hooks)/|^src/(components|store)/' },
      to: { path: IO },
    },
    {
      name: 'store-owns-its-types',
      severity: 'error',
      comment: 'The store holds the model\'s types and its own; it imports no other part of pgtop.',
      from: { path: '^src/store/' },
      to: { path: '^(src|screens|hooks)/', pathNot: '^src/(store|model)/' },
    },
    {
      name: 'model-is-pure',
      severity: 'error',
      comment: 'src/model holds pure domain functions: no I/O, no React, no store.',
      from: { path: '^src/model/' },
      to: { path: `${IO}|^(screens|hooks)/|^src/(store|components|scheduler|actions|cli)/|^node_modules/(ink|react)/|^(node:)?(fs|child_process|net|tls)$` },
    },
    {
      name: 'scheduler-knows-no-screen',
      severity: 'error',
      comment: 'The scheduler runs sources; which ones a screen needs is the screen definition\'s business.',
      from: { path: '^src/scheduler/' },
      to: { path: '^screens/' },
    },
    {
      name: 'src-not-to-screens',
      severity: 'error',
      comment: 'src/ is below screens/: only the entry points (src/cli) may load the screen list.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^(screens|hooks)/' },
    },
    {
      name: 'not-to-test',
      severity: 'error',
      comment: 'The product never loads test code (the benchmark may: it drives the fake Kubernetes API).',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a store that imports a type from src/db depends on it all the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    // node_modules is not followed but stays visible, so an import of pg from a screen is seen.
    exclude: { path: '^(dist|\\.tmp)/' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
