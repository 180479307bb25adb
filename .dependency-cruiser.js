// Import-direction rules for src/, checked by `npm run check:deps` (part of `npm run check`).
//
// Layers, top to bottom; imports may only run downward (skipping layers is fine):
//   1. entries: src/index.ts (public barrel, may import anything in src), src/http/**, src/testing/**,
//      src/opentelemetry/** (the only importer of @opentelemetry/*),
//      src/drills/** (incidentkit/drills; src/cli/** may import it too),
//      src/healthcare/** (the incidentkit/healthcare entry)
//   2. composition root: every file directly in src/ except index.ts and errors.ts
//   3. src/features/<name>/** (one capability per folder; never another feature's folder)
//   4. src/engine/**
//   5. src/lifecycle/** (the pure XState machine)
//   6. src/model/** (zod schemas and types)
//   7. src/kernel/** and src/errors.ts (errors.ts imports nothing from src)
// Side folders src/sources, src/channels, src/storage, src/metrics may import only src/model,
// src/kernel, src/errors.ts and their own folder; layers 1-4 may import them, layers 5-7 may not.
//
// Type-only imports count the same as value imports (tsPreCompilationDeps: true).
// Each rule's `comment` is what `depcruise` prints when the rule is broken.

const SIDE = '(sources|channels|storage|metrics)';
const SIDE_DIRS = 'sources/|channels/|storage/|metrics/';
// "Any file directly in src/ except index.ts": the composition root and errors.ts.
const ROOT_FILE = '(?!index\\.ts$)[^/]+\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'errors-imports-nothing',
      severity: 'error',
      comment: 'src/errors.ts sits at the bottom of the layers and must not import anything from src/.',
      from: { path: '^src/errors\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'kernel-has-no-domain-imports',
      severity: 'error',
      comment:
        'src/kernel/** (clock, ids, hashing, parse helpers) may import only src/kernel/** and src/errors.ts: ' +
        'no model, lifecycle, engine, feature or side-folder imports.',
      from: { path: '^src/kernel/' },
      to: { path: '^src/', pathNot: '^src/(kernel/|errors\\.ts$)' },
    },
    {
      name: 'model-below-lifecycle',
      severity: 'error',
      comment:
        'src/model/** (zod schemas and types) may import only src/model/**, src/kernel/** and src/errors.ts: ' +
        'nothing from lifecycle, engine, features, side folders or above.',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: '^src/(model/|kernel/|errors\\.ts$)' },
    },
    {
      name: 'lifecycle-is-pure',
      severity: 'error',
      comment:
        'src/lifecycle/** (the pure XState machine) may import only src/lifecycle/**, src/model/**, ' +
        'src/kernel/** and src/errors.ts: no engine, features, side folders (storage, channels, sources, metrics) or above.',
      from: { path: '^src/lifecycle/' },
      to: { path: '^src/', pathNot: '^src/(lifecycle/|model/|kernel/|errors\\.ts$)' },
    },
    {
      name: 'side-folders-see-model-and-kernel-only',
      severity: 'error',
      comment:
        'src/sources, src/channels, src/storage and src/metrics may import only their own folder, src/model/**, ' +
        'src/kernel/** and src/errors.ts: not lifecycle, engine, features, another side folder or above.',
      from: { path: `^src/${SIDE}/` },
      to: { path: '^src/', pathNot: '^src/($1/|model/|kernel/|errors\\.ts$)' },
    },
    {
      name: 'engine-below-features',
      severity: 'error',
      comment:
        'src/engine/** may import only src/engine/**, src/lifecycle/**, src/model/**, src/kernel/**, src/errors.ts ' +
        'and the side folders: never a feature, the composition root, http, testing or index.ts.',
      from: { path: '^src/engine/' },
      to: { path: '^src/', pathNot: `^src/(engine/|lifecycle/|model/|kernel/|${SIDE_DIRS}|errors\\.ts$)` },
    },
    {
      name: 'features-are-independent',
      severity: 'error',
      comment:
        "A feature (src/features/<name>/**) must not import another feature's folder; " +
        'share code by moving it down into engine, lifecycle, model or kernel.',
      from: { path: '^src/features/([^/]+)/' },
      to: { path: '^src/features/', pathNot: '^src/features/$1/' },
    },
    {
      name: 'features-below-composition-root',
      severity: 'error',
      comment:
        'src/features/** may import only its own feature, src/engine/**, src/lifecycle/**, src/model/**, ' +
        'src/kernel/**, src/errors.ts and the side folders: never the composition root, http, testing or index.ts.',
      from: { path: '^src/features/' },
      to: {
        path: '^src/',
        pathNot: `^src/(features/|engine/|lifecycle/|model/|kernel/|${SIDE_DIRS}|errors\\.ts$)`,
      },
    },
    {
      name: 'composition-root-below-entries',
      severity: 'error',
      comment:
        'The composition root (files directly in src/ other than index.ts and errors.ts) may import layers below it ' +
        '(features, engine, lifecycle, model, kernel, errors.ts, side folders) but never src/http, src/testing or src/index.ts.',
      from: { path: '^src/[^/]+\\.ts$', pathNot: '^src/(index|errors)\\.ts$' },
      to: {
        path: '^src/',
        pathNot: `^src/(${ROOT_FILE}|features/|engine/|lifecycle/|model/|kernel/|${SIDE_DIRS})`,
      },
    },
    {
      name: 'entries-import-downward-only',
      severity: 'error',
      comment:
        'src/http/**, src/testing/**, src/cli/**, src/opentelemetry/**, src/drills/** and src/healthcare/** may import their own folder and anything below them, but not each other ' +
        'and not the public barrel src/index.ts.',
      from: { path: '^src/(http|testing|cli|opentelemetry|drills|healthcare)/' },
      to: {
        path: '^src/',
        // The CLI's `drill` command runs scenarios and what-if replays from src/drills.
        pathNot: `^src/($1/|${ROOT_FILE}|features/|engine/|lifecycle/|model/|kernel/|${SIDE_DIRS})|^src/drills/`,
      },
    },
    {
      name: 'only-the-cli-uses-drills',
      severity: 'error',
      comment: 'src/drills/** (the incidentkit/drills entry) may be imported by src/cli/** only: never by the core or another entry.',
      from: { path: '^src/', pathNot: '^src/(drills|cli)/' },
      to: { path: '^src/drills/' },
    },
    {
      name: 'redos-detector-only-in-define-routes',
      severity: 'error',
      comment:
        'redos-detector belongs to the incidentkit/routing entry only: import it in src/features/routing/defineRoutes.ts, ' +
        'and import that module only from src/features/routing/index.ts (the core entry may pull in only xstate, zod and mitt).',
      from: { path: '^src/', pathNot: '^src/features/routing/defineRoutes\\.ts$' },
      to: { path: '(^|/)node_modules/redos-detector/' },
    },
    {
      name: 'define-routes-only-from-the-routing-entry',
      severity: 'error',
      comment:
        'src/features/routing/defineRoutes.ts loads redos-detector: only the incidentkit/routing entry (src/features/routing/index.ts) ' +
        'may import it; the engine and the core entry use the evaluator (evaluate.ts, routes.ts) instead.',
      from: { path: '^src/', pathNot: '^src/(features/routing/(index|defineRoutes)\\.ts$|drills/)' },
      to: { path: '^src/features/routing/defineRoutes\\.ts$' },
    },
    {
      name: 'opentelemetry-only-in-its-entry',
      severity: 'error',
      comment:
        '@opentelemetry/* is an optional peer dependency of the incidentkit/opentelemetry entry only: import it in src/opentelemetry/**; ' +
        'the engine knows only its EngineTelemetry hooks (src/engine/telemetry.ts), so the core entry loads nothing of OpenTelemetry.',
      from: { path: '^src/', pathNot: '^src/opentelemetry/' },
      to: { path: '(^|/)node_modules/@opentelemetry/' },
    },
    {
      name: 'src-files-belong-to-a-layer',
      severity: 'error',
      comment:
        'Every file in src/ must live in a known layer (a file directly in src/, http, testing, cli, features/<name>, ' +
        'engine, lifecycle, model, kernel, sources, channels, storage or metrics); add new folders to .dependency-cruiser.cjs.',
      from: {
        path: '^src/',
        pathNot: `^src/([^/]+\\.ts$|(http|testing|cli|opentelemetry|drills|healthcare|engine|lifecycle|model|kernel|${SIDE})/|features/[^/]+/)`,
      },
      to: {},
    },
    {
      name: 'src-does-not-import-test-examples-bench',
      severity: 'error',
      comment: 'Shipped code in src/ must not import anything from test/, examples/ or bench/.',
      from: { path: '^src/' },
      to: { path: '^(test|examples|bench)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'This import is part of a circular dependency inside src/ (type-only imports included); ' +
        'break the cycle by moving the shared piece down a layer.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-imports-must-resolve',
      severity: 'error',
      comment:
        'This import in src/ could not be resolved, so the layer rules cannot check it; ' +
        'fix the path (NodeNext style: import ./foo.js for foo.ts) or add the package.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    // See `import type` edges too: type-only imports count the same as value imports.
    tsPreCompilationDeps: true,
    // Resolve like tsc does (NodeNext, `paths` such as 'incidentkit' -> src/index.ts).
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
