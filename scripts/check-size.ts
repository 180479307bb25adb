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
 * code). The output is compressed with brotli (quality 11, as CDNs and `size-limit` do).
 *
 * Two bundles: the typical import (`createIncidentEngine` + `memoryStore`), which must stay
 * within {@link BUDGET}, and the whole core entry (`export *`), reported beside it. Then the
 * biggest source modules of the typical import, attributed byte by byte through the source
 * maps (esbuild chains `dist/*.js.map` back to `src/`). Exits 1 over budget.
 *
 * kB here is 1 000 bytes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, brotliCompressSync } from 'node:zlib';
import { build, version as esbuildVersion } from 'esbuild';

/**
 * The budget of the typical import, brotli bytes: what is met today, with a little headroom.
 * The goal of issue 17 is {@link GOAL}; see docs/benchmarks.md for what stands between.
 */
const BUDGET = 38_500;
/** The goal of issue 17 for the typical import, brotli bytes (not enforced until it is met). */
const GOAL = 15_000;

const root = fileURLToPath(new URL('..', import.meta.url));

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
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    console.error('dist/index.js is missing: run `npm run build` first (the check measures the built package).');
    process.exit(1);
  }
  const topArg = process.argv.indexOf('--top');
  const top = topArg >= 0 ? Number(process.argv[topArg + 1]) : 15;

  const typical = await measure(TYPICAL);
  const full = await measure(FULL);

  console.log(`Bundle size of the core entry (dist/, esbuild ${esbuildVersion}, minified, ESM, platform browser; xstate, zod, mitt external; brotli 11; kB = 1 000 bytes)\n`);
  const over = typical.brotli > BUDGET;
  for (const [entry, size] of [
    [TYPICAL, typical],
    [FULL, full],
  ] as const) {
    const verdict =
      entry.budget === undefined
        ? ''
        : `   budget ${kB(entry.budget)}: ${size.brotli > entry.budget ? 'OVER' : 'ok'} (goal ${kB(GOAL)}: ${size.brotli <= GOAL ? 'met' : 'not met'})`;
    console.log(`  ${entry.name.padEnd(48)} ${pad(kB(size.minified), 9)} min ${pad(kB(size.brotli), 8)} brotli${verdict}`);
  }

  const folders = new Map<string, number>();
  for (const [source, bytes] of typical.bySource) folders.set(folderOf(source), (folders.get(folderOf(source)) ?? 0) + bytes);
  console.log(`\nThe typical import by folder (minified bytes, share of ${kB(typical.minified)}):`);
  console.log(table(folders, typical.minified, 30));
  console.log(`\nIts ${String(top)} biggest modules:`);
  console.log(table(typical.bySource, typical.minified, top));

  if (over) {
    console.error(
      `\nThe typical import is ${kB(typical.brotli)} brotli, over its budget of ${kB(BUDGET)} (${String(typical.brotli - BUDGET)} bytes). ` +
        'Look for module-level work that defeats tree-shaking (a top-level call needs /* @__PURE__ */), or code the engine reaches only for an option it was not given.',
    );
    process.exit(1);
  }
}

await main();
