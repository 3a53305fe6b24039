// The layer rules (docs/ARCHITECTURE.md, issue 10), checked by `npm run lint:deps` in CI so the
// arrows cannot drift back: app → nestjs → core; testkit depends on no library package; inside
// core, client/ is the bottom layer. Type-only imports count (tsPreCompilationDeps).
const SPEC = '\\.spec\\.ts$|/testing/';
// Each package's entry points, as its package.json `exports` names them (nestjs: also /health and /metrics).
const ENTRY_POINTS = '(health/|metrics/)?index\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-no-nest',
      comment: '@exchange-connection/core is usable without Nest: no @nestjs/* import anywhere in it.',
      severity: 'error',
      from: { path: '^libs/core/' },
      to: { path: '(^|/)node_modules/@nestjs/|^@nestjs/' },
    },
    {
      name: 'core-runtime-deps',
      comment: 'core ships with ws (dependency) and rxjs (peer) only; anything else must be added to its package.json first.',
      severity: 'error',
      from: { path: '^libs/core/src/', pathNot: SPEC },
      to: {
        dependencyTypesNot: ['local', 'core'],
        pathNot: '(^|/)node_modules/(ws|rxjs|@types/ws|@types/node)/',
      },
    },
    {
      name: 'core-no-other-package',
      comment: 'core depends on no other workspace package (its specs may use the testkit, a dev tool).',
      severity: 'error',
      from: { path: '^libs/core/', pathNot: SPEC },
      to: { path: '^libs/(?!core/)' },
    },
    {
      name: 'core-specs-testkit-only',
      comment: "core's specs may use the testkit, never the Nest package.",
      severity: 'error',
      from: { path: '^libs/core/' },
      to: { path: '^libs/nestjs/' },
    },
    {
      name: 'client-is-the-bottom-layer',
      comment: 'In core, client/ (layer 1) never imports supervisor/ (layer 2) or venues/.',
      severity: 'error',
      from: { path: '^libs/core/src/client/' },
      to: { path: '^libs/core/src/(supervisor|venues)/' },
    },
    {
      name: 'venues-below-supervisor',
      comment:
        'venues/ implement what the supervisor drives; they never import supervisor/. An adapter spec may drive its adapter through the supervisor (that is how it is used).',
      severity: 'error',
      from: { path: '^libs/core/src/venues/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^libs/core/src/supervisor/' },
    },
    {
      name: 'nestjs-on-core-only',
      comment: '@exchange-connection/nestjs builds on core alone: no testkit, no app code.',
      severity: 'error',
      from: { path: '^libs/nestjs/' },
      to: { path: '^(libs/(?!nestjs/|core/)|apps/|test/|bench/)' },
    },
    {
      name: 'nats-on-core-only',
      comment:
        '@exchange-connection/nats builds on core alone (the Nest module takes it through an interface of its own): no Nest, no testkit, no app code.',
      severity: 'error',
      from: { path: '^libs/nats/', pathNot: SPEC },
      to: { path: '^(libs/(?!nats/|core/)|apps/|test/|bench/)|(^|/)node_modules/@nestjs/' },
    },
    {
      name: 'testkit-standalone',
      comment: '@exchange-connection/testkit depends on no library package (it tests them, and any other client).',
      severity: 'error',
      from: { path: '^libs/testkit/' },
      to: { path: '^(libs/(?!testkit/)|apps/|bench/)|(^|/)node_modules/@nestjs/' },
    },
    {
      name: 'shipped-code-no-test-helpers',
      comment: "What a package ships never imports the repo's test helpers (its specs may: they are not shipped).",
      severity: 'error',
      from: { path: '^libs/', pathNot: SPEC },
      to: { path: '^test/' },
    },
    {
      name: 'packages-by-entry-point',
      comment:
        'Outside a package, import it by name (its entry point), never a file of its src/ or dist/ by path: ' +
        "that is what a user's app can do, and what keeps the public API the one in index.ts.",
      severity: 'error',
      from: { path: '^(apps|bench|test)/' },
      to: { path: '^libs/[^/]+/(dist/|src/(?!' + ENTRY_POINTS + '))' },
    },
    {
      name: 'packages-by-name',
      comment: 'Outside a package, no relative path into it, even to its entry point: import it by name.',
      severity: 'error',
      from: { path: '^(apps|bench|test)/' },
      to: { path: '^libs/', dependencyTypesNot: ['aliased'] },
    },
    {
      name: 'packages-by-name-between-packages',
      comment: 'A package reaches another only through its name and entry point.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/(' + ENTRY_POINTS + ')'] },
    },
    {
      name: 'packages-by-name-between-packages-no-relative',
      comment: 'A package reaches another only by name, never by a relative path.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/', pathNot: '^libs/$1/', dependencyTypesNot: ['aliased'] },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles hide which module owns what.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|build)/' },
    tsPreCompilationDeps: true,
    // Resolves the package names as type-checking does (tsconfig.json paths → each package's src/index.ts).
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.d.ts'],
    },
    skipAnalysisNotInRules: true,
  },
};
