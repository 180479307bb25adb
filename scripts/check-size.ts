/**
 * The bundle-size check (issue 17): what a consumer's bundler makes of the built core entry.
 *
 *   npm run build && npm run check:size       # part of `npm run check`, after the build
 *   npx tsx scripts/check-size.ts --top 40    # a longer list of the biggest modules
 *
 * Bundles the built `dist/` (what a consumer installs, not `src/`: the build's chunking and
 * what survives it are part of the result) through the package's own `exports` map, exactly as
 * `import … from 'incidentkit'` in a host app would: esbuild, minified, ESM, platform browser,
 * the dependencies `xstate`, `zod` and `mitt` left external (a host shares them with its own
 * code). The output is compressed with brotli at quality 11 (the highest, what a CDN serves
 * pre-compressed files with).
 *
 * First, no module-level side effects: every top-level initialiser in src/ that runs code at
 * import (a call, `new`, a tagged template) must be marked `/* @__PURE__ *\/`, or a bundler
 * keeps it, and everything it references, in every bundle that touches its chunk, used or not
 * (before this check, importing `isIncidentKitError` alone cost 15 kB brotli). Found with the
 * TypeScript parser; each one is listed as file:line.
 *
 * Then three bundles: the typical import (`createIncidentEngine` + `memoryStore`), which must
 * stay within {@link BUDGET}; the whole core entry (`export *`), reported beside it; and one
 * small helper alone, which must stay within {@link ONE_HELPER_BUDGET}. Then the
 * biggest source modules of the typical import, attributed byte by byte through the source
 * maps (esbuild chains `dist/*.js.map` back to `src/`). Exits 1 on a side effect or over budget.
 *
 * kB here is 1 000 bytes.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, brotliCompressSync } from 'node:zlib';
import { build, version as esbuildVersion } from 'esbuild';
import ts from 'typescript';

/**
 * The budget of the typical import, brotli bytes: what is met (35 771 bytes when it was set;
 * 37 9xx after issue 17's merges; 39 4xx once alerts became rows: `engine.alerts`, the store
 * checks beyond the newest 100, `verifyTimeline` of alert rows, the memory store's alert rows),
 * with some headroom; 46 3xx with on-call in the engine (issue 18: +6.3 kB measured), 46 655 with
 * notifications to people (`recipients`, `contacts`: +0.35 kB), 48 154 with hand-off notices
 * (+1.5 kB: the notice planner, notices in the dispatcher, the console and webhook notifiers),
 * 50 842 after issue 19's first merges (`NOBODY_PAGED` and escalations resolved by hand, change
 * events linked at declare, re-fires that reopen or open a linked recurrence, typed links),
 * 52 1xx with heartbeats (+1.3 kB: `engine.heartbeats`, its route and deadline timers), 54 8xx with
 * merges (+2.6 kB: `engine.merge`/`unmerge`, the machine's four merge events with their guards and
 * context updates, the memory store's `commitMerge`, the merge notification texts). On-call is a
 * built-in feature (`engine.schedules`, escalation levels that page a schedule when they fire, the
 * schedule routes), so the typical import now carries the schedule arithmetic (`defineSchedule`'s
 * schema, `whoIsOnCall`/`renderSchedule` segments, `toICalendar`, ~12 kB minified) and its wiring
 * (~5.5 kB minified). Keeping the arithmetic out when unused needs an opt-in a bundler can see
 * (the host importing on-call support and passing it in), not a lazy `import()`: this check bundles
 * without code splitting, as many hosts do, so an `import()` is inlined. The goal of issue 17 is
 * {@link GOAL}; docs/benchmarks.md says what stands between. Lower it when the bundle shrinks.
 * 64 9xx with status pages (issue 21), 69 8xx with their scheduled maintenance (+2.0 kB: records,
 * timers, windows) and subscribers (+2.9 kB: subscribe/confirm/unsubscribe records, the fan-out;
 * their email and webhook delivery is opt-in, from `incidentkit/status-page`). 72 5xx with
 * playbooks and tasks (issue 22: +2.7 kB: the machine's six task events with their guards, due
 * timers and context updates, `definePlaybook`'s schema, the task commands, the overdue template;
 * the shipped playbooks are tree-shaken unless imported), 75 2xx with problem management (+2.6 kB:
 * `engine.problems` and its machine, known errors and recurrences found at a new incident, their
 * two lifecycle events and notification texts), 77 7xx with the investigation record (+2.5 kB:
 * hypotheses, evidence, causes from a taxonomy with the two shipped taxonomies' ids, milestone
 * corrections, editable action items: four machine events, their guards and commands).
 * 78 7xx with the telemetry and logger hooks (issue 23: +1.0 kB: wrapping the commands only when
 * `telemetry` is given, the commit/tick/delivery hooks, the logger's records of failed deliveries,
 * timers, workers and handlers, the memory store's `outboxStats`; OpenTelemetry itself is in
 * `incidentkit/opentelemetry`, none of it in this bundle). 84 8xx with the rest of issues 23 and 24
 * (+6.1 kB): drills (`drill: true`, `drillSafe` notifiers, the would-have-sent log, drills left out
 * of metrics and similarity: ~1 kB), the just-culture assessment (1.6 kB minified), sentinel events
 * starting the Joint Commission clock, NIST CSF 2.0 tags on commands with the category list and
 * `engine.tagEvent` (~2 kB minified), and crypto-shredding (`keyring`, sealed fields, `engine.erase`,
 * the subject index: 6.7 kB minified, loaded even without a keyring). Scenarios, what-if replays,
 * the healthcare types and FHIR export, and the NIST report are in their own entries or
 * tree-shaken, none of them in this bundle.
 */
const BUDGET = 85_000;
/** The goal of issue 17 for the typical import, brotli bytes (not enforced until it is met). */
const GOAL = 15_000;
/** The budget of importing one small helper, brotli bytes (254 bytes when it was set; 15 121 with module-level side effects). */
const ONE_HELPER_BUDGET = 1_000;

const root = fileURLToPath(new URL('..', import.meta.url));

/** A top-level statement that runs code when its module is imported. */
export interface ImportSideEffect {
  /** Relative to the repository root. */
  readonly file: string;
  readonly line: number;
  /** The declared name, or the statement's first words. */
  readonly what: string;
}

/** `new` of these with literal arguments is known side-effect free to every bundler. */
const PURE_CONSTRUCTORS: ReadonlySet<string> = new Set(['Set', 'Map', 'WeakSet', 'WeakMap']);

function annotatedPure(text: string, node: ts.Node, sourceFile: ts.SourceFile): boolean {
  return /[@#]__PURE__/.test(text.slice(node.getFullStart(), node.getStart(sourceFile)));
}

/** An operand of arithmetic that no bundler suspects: a literal, or arithmetic on literals. */
function literalOperand(node: ts.Node): boolean {
  if (ts.isParenthesizedExpression(node)) return literalOperand(node.expression);
  if (ts.isPrefixUnaryExpression(node)) return literalOperand(node.operand);
  if (ts.isBinaryExpression(node)) return literalOperand(node.left) && literalOperand(node.right);
  return ts.isLiteralExpression(node) || [ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword, ts.SyntaxKind.NullKeyword].includes(node.kind);
}

/**
 * Free of side effects for esbuild, rollup and terser alike: literals, identifiers, functions,
 * arithmetic, and arrays or objects of those (a property access may run a getter: not trivial).
 */
function trivial(node: ts.Node): boolean {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) return trivial(node.expression);
  if (ts.isPrefixUnaryExpression(node)) return trivial(node.operand);
  // Arithmetic on a binding (`366 * DAY_MS`) may call its `valueOf`, so bundlers keep it: only literals.
  if (ts.isBinaryExpression(node)) return literalOperand(node.left) && literalOperand(node.right) && node.operatorToken.kind !== ts.SyntaxKind.EqualsToken;
  if (ts.isArrayLiteralExpression(node)) return node.elements.every(trivial);
  if (ts.isObjectLiteralExpression(node)) {
    return node.properties.every(
      (p) => ts.isShorthandPropertyAssignment(p) || ts.isMethodDeclaration(p) || (ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && trivial(p.initializer)),
    );
  }
  return (
    ts.isLiteralExpression(node) ||
    ts.isIdentifier(node) ||
    ts.isFunctionLike(node) ||
    [ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword, ts.SyntaxKind.NullKeyword].includes(node.kind)
  );
}

/** Whether evaluating `node` at import runs a call that no `@__PURE__` annotation covers. */
function runsCode(node: ts.Node, text: string, sourceFile: ts.SourceFile): boolean {
  const visit = (n: ts.Node, coveredCallee: boolean): boolean => {
    if (ts.isFunctionLike(n)) return false; // runs only when called
    if (ts.isTaggedTemplateExpression(n)) return true;
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const pure =
        coveredCallee ||
        annotatedPure(text, n, sourceFile) ||
        (ts.isNewExpression(n) && PURE_CONSTRUCTORS.has(n.expression.getText(sourceFile)) && (n.arguments ?? []).every(trivial));
      // An annotation covers the call chain in front of it (a.b().c()), not the arguments.
      return !pure || visit(n.expression, ts.isCallExpression(n)) || (n.arguments ?? []).some((a) => visit(a, false));
    }
    return ts.forEachChild(n, (child) => visit(child, false) || undefined) ?? false;
  };
  return visit(node, false);
}

/** Top-level statements of one module that run code at import. */
export function importSideEffects(file: string, text: string): ImportSideEffect[] {
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: ImportSideEffect[] = [];
  for (const statement of sourceFile.statements) {
    const line = sourceFile.getLineAndCharacterOfPosition(statement.getStart(sourceFile)).line + 1;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (declaration.initializer !== undefined && runsCode(declaration.initializer, text, sourceFile)) {
          found.push({ file, line, what: declaration.name.getText(sourceFile) });
        }
      }
    } else if (ts.isClassDeclaration(statement)) {
      const runs = statement.members.some(
        (member) =>
          (ts.isPropertyDeclaration(member) || ts.isClassStaticBlockDeclaration(member)) &&
          (ts.isClassStaticBlockDeclaration(member) || (member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) ?? false)) &&
          runsCode(member, text, sourceFile),
      );
      const heritage = (statement.heritageClauses ?? []).some((clause) => clause.types.some((type) => !trivial(type.expression) && !ts.isPropertyAccessExpression(type.expression)));
      if (runs || heritage) found.push({ file, line, what: `class ${statement.name?.text ?? ''}` });
    } else if (
      !ts.isImportDeclaration(statement) &&
      !ts.isExportDeclaration(statement) &&
      !ts.isInterfaceDeclaration(statement) &&
      !ts.isTypeAliasDeclaration(statement) &&
      !ts.isFunctionDeclaration(statement) &&
      !ts.isModuleDeclaration(statement) &&
      runsCode(statement, text, sourceFile)
    ) {
      found.push({ file, line, what: statement.getText(sourceFile).slice(0, 60) });
    }
  }
  return found;
}

/** Folders of programs built alone for Node, imported by no entry (the CLI, `dist/cli.js`): no bundler ever sees them. */
const PROGRAMS: readonly string[] = ['src/cli/'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .filter((entry) => !PROGRAMS.some((folder) => relative(root, join(entry.parentPath, entry.name)).replaceAll('\\', '/').startsWith(folder)))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

interface Case {
  readonly name: string;
  readonly code: string;
  readonly budget?: number;
}

const TYPICAL: Case = {
  name: 'typical: { createIncidentEngine, memoryStore }',
  code: "export { createIncidentEngine, memoryStore } from 'incidentkit';",
  budget: BUDGET,
};
const FULL: Case = { name: 'full core entry: export *', code: "export * from 'incidentkit';" };
/** One small helper: with no module-level side effects it costs what it is, not its chunk. */
const ONE_HELPER: Case = {
  name: 'one helper: { isIncidentKitError }',
  code: "export { isIncidentKitError } from 'incidentkit';",
  budget: ONE_HELPER_BUDGET,
};

interface Measured {
  readonly minified: number;
  readonly brotli: number;
  /** Minified bytes by source file (`src/…`), from the source map. */
  readonly bySource: ReadonlyMap<string, number>;
}

async function measure(entry: Case): Promise<Measured> {
  const result = await build({
    stdin: { contents: entry.code, resolveDir: root, loader: 'js', sourcefile: 'consumer.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['xstate', 'zod', 'mitt'],
    // The repository's tsconfig maps `incidentkit` to src/ for tests; a consumer gets dist/.
    tsconfigRaw: '{}',
    outfile: join(root, 'consumer.js'),
    sourcemap: 'external',
    write: false,
    logLevel: 'error',
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const map = result.outputFiles.find((file) => file.path.endsWith('.js.map'));
  if (code === undefined || map === undefined) throw new Error('esbuild produced no bundle');
  const brotli = brotliCompressSync(code.contents, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.contents.length },
  }).length;
  return { minified: code.contents.length, brotli, bySource: bytesBySource(code.text, JSON.parse(map.text) as SourceMap) };
}

interface SourceMap {
  readonly sources: readonly string[];
  readonly mappings: string;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The numbers of one source-map segment (base64 VLQ). */
function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/**
 * Attributes every output character to the source of the mapping segment it falls in (the
 * source index is the only field of a segment needed here; it is cumulative over the file).
 */
function bytesBySource(code: string, map: SourceMap): Map<string, number> {
  const totals = new Map<string, number>();
  const add = (source: string, n: number) => totals.set(source, (totals.get(source) ?? 0) + n);
  const lines = code.split('\n');
  const mappingLines = map.mappings.split(';');
  let sourceIndex = 0;
  for (const [lineNo, line] of lines.entries()) {
    let column = 0;
    let from = 0;
    let current = '(no source: esbuild runtime, newlines)';
    for (const segment of (mappingLines[lineNo] ?? '').split(',')) {
      if (segment === '') continue;
      const [columnDelta = 0, sourceDelta] = decodeSegment(segment);
      column += columnDelta;
      add(current, column - from);
      from = column;
      if (sourceDelta !== undefined) {
        sourceIndex += sourceDelta;
        current = map.sources[sourceIndex] ?? '(unknown)';
      } else {
        current = '(no source: esbuild runtime, newlines)';
      }
    }
    // The rest of the line (and its newline) belongs to the last segment's source.
    add(current, line.length + 1 - from);
  }
  return totals;
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const pad = (text: string, width: number) => text.padStart(width);

function folderOf(source: string): string {
  const parts = source.replace(/^(\.\.\/)+/, '').split('/');
  if (parts[0] !== 'src') return source;
  if (parts.length <= 2) return 'src/ (root files)';
  return parts[1] === 'features' && parts.length > 3 ? `src/features/${parts[2] ?? ''}` : `src/${parts[1] ?? ''}`;
}

function table(entries: ReadonlyMap<string, number>, total: number, limit: number): string {
  return [...entries]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, bytes]) => `  ${pad(kB(bytes), 8)}  ${pad(((bytes / total) * 100).toFixed(1), 5)} %  ${name.replace(/^(\.\.\/)+/, '')}`)
    .join('\n');
}

async function main(): Promise<void> {
  const effects = sourceFiles(join(root, 'src')).flatMap((file) => importSideEffects(relative(root, file), readFileSync(file, 'utf8')));
  if (effects.length > 0) {
    console.error('Module-level code that bundlers cannot drop when it is unused:');
    for (const effect of effects) console.error(`  ${effect.file}:${String(effect.line)}  ${effect.what}`);
    console.error(
      'Prefix the call with /* @__PURE__ */ (enough for a chain like z.string().min(1) whose arguments are literals or identifiers), ' +
        'or wrap the whole initialiser: /* @__PURE__ */ (() => …)(). Only for code without real side effects.',
    );
    process.exit(1);
  }

  if (!existsSync(join(root, 'dist', 'index.js'))) {
    console.error('dist/index.js is missing: run `npm run build` first (the check measures the built package).');
    process.exit(1);
  }
  const topArg = process.argv.indexOf('--top');
  const top = topArg >= 0 ? Number(process.argv[topArg + 1]) : 15;

  const typical = await measure(TYPICAL);
  const measured = [
    [TYPICAL, typical],
    [FULL, await measure(FULL)],
    [ONE_HELPER, await measure(ONE_HELPER)],
  ] as const;

  console.log(`Bundle size of the core entry (dist/, esbuild ${esbuildVersion}, minified, ESM, platform browser; xstate, zod, mitt external; brotli 11; kB = 1 000 bytes)\n`);
  for (const [entry, size] of measured) {
    const verdict = entry.budget === undefined ? '' : `   budget ${kB(entry.budget)}: ${size.brotli > entry.budget ? 'OVER' : 'ok'}`;
    console.log(`  ${entry.name.padEnd(48)} ${pad(kB(size.minified), 9)} min ${pad(kB(size.brotli), 8)} brotli${verdict}`);
  }
  console.log(`  (the goal of issue 17 for the typical import is ${kB(GOAL)} brotli: ${typical.brotli <= GOAL ? 'met' : 'not met yet'})`);

  const folders = new Map<string, number>();
  for (const [source, bytes] of typical.bySource) folders.set(folderOf(source), (folders.get(folderOf(source)) ?? 0) + bytes);
  console.log(`\nThe typical import by folder (minified bytes, share of ${kB(typical.minified)}):`);
  console.log(table(folders, typical.minified, 30));
  console.log(`\nIts ${String(top)} biggest modules:`);
  console.log(table(typical.bySource, typical.minified, top));

  const over = measured.filter(([entry, size]) => entry.budget !== undefined && size.brotli > entry.budget);
  for (const [entry, size] of over) {
    console.error(
      `\n${entry.name} is ${kB(size.brotli)} brotli, over its budget of ${kB(entry.budget ?? 0)} (by ${String(size.brotli - (entry.budget ?? 0))} bytes). ` +
        'Look for code the engine reaches for an option it was not given, or dist/ code that the side-effect check above cannot see.',
    );
  }
  if (over.length > 0) process.exit(1);
}

await main();
