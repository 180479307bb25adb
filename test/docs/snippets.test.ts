/**
 * Every ```ts block of README.md and docs/*.md (docs/api/ is generated and left out) type-checks
 * against src/, as a reader would paste it into a module of their own.
 *
 * Each block is written to a gitignored folder under .tmp/ as its own module, and all of them
 * are checked in ONE TypeScript program with the options of tsconfig.json (`paths` map
 * `incidentkit`, `incidentkit/http`, … to src/), so the whole check takes seconds. A failure is
 * reported per block as `docs/foo.md:LINE` (the line of the opening fence), with each diagnostic
 * at its own line of the document.
 *
 * Conventions for authors (the markup is described in ./markdownSnippets.ts):
 * - Give a block the context it assumes in visible lines: imports, and `declare const engine:
 *   IncidentEngine;` for values an earlier block or the reader's app provides.
 * - A block that a later block of the same document imports gets a file name, ```ts file=statuses.ts,
 *   and the later one imports it as `./statuses.js`.
 * - A block that quotes a file verbatim (and so cannot gain lines) may get hidden lines from a
 *   `<!-- type-check prelude: <why>` … `-->` comment right before its fence.
 * - A block that cannot compile at all (a signature, a placeholder the reader fills in) opts out
 *   with ```ts no-check and `<!-- not type-checked: <why> -->` right before its fence.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractSnippets, type Snippet } from './markdownSnippets.js';

const root = join(import.meta.dirname, '..', '..');

function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => `docs/${entry.name}`)
    .sort();
  return ['README.md', ...docs];
}

const snippets = markdownFiles().flatMap((file) => extractSnippets(file, readFileSync(join(root, file), 'utf8')));
const checked = snippets.filter((snippet) => snippet.check);
const where = (snippet: Snippet): string => `${snippet.file}:${String(snippet.line)}`;

/** The compiler options of tsconfig.json (its `paths` resolved from the repository root), without output. */
function compilerOptions(): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const read: { config?: unknown; error?: ts.Diagnostic } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (read.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  if (parsed.errors.length > 0) throw new Error(ts.formatDiagnostics(parsed.errors, formatHost));
  return { ...parsed.options, noEmit: true, declaration: false };
}

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (path) => path,
  getCurrentDirectory: () => root,
  getNewLine: () => '\n',
};

/** `docs/foo.md:LINE:COLUMN TSxxxx: message`, at the diagnostic's place in the document. */
function describeDiagnostic(snippet: Snippet, diagnostic: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  if (diagnostic.file === undefined || diagnostic.start === undefined) return `${where(snippet)} TS${String(diagnostic.code)}: ${text}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const preludeLines = snippet.prelude === '' ? 0 : snippet.prelude.split('\n').length;
  const place =
    line < preludeLines
      ? `${where(snippet)} (line ${String(line + 1)} of its type-check prelude)`
      : `${snippet.file}:${String(snippet.line + 1 + line - preludeLines)}:${String(character + 1)}`;
  return `${place} TS${String(diagnostic.code)}: ${text}`;
}

let tmp = '';
/** The diagnostics of each checked snippet, by `where(snippet)`. */
const diagnostics = new Map<string, string[]>();

beforeAll(() => {
  // Inside the repository, so `node_modules` and the root package.json ("type": "module")
  // apply; under .tmp/, which git ignores; one folder per run, so concurrent runs never collide.
  mkdirSync(join(root, '.tmp'), { recursive: true });
  tmp = mkdtempSync(join(root, '.tmp', 'doc-snippets-'));
  const snippetAt = new Map<string, Snippet>();
  for (const snippet of checked) {
    // One folder per document, so a block can import a `file=` block of the same document.
    const folder = join(tmp, snippet.file.replace(/[^A-Za-z0-9]+/g, '_'));
    mkdirSync(folder, { recursive: true });
    const path = join(folder, snippet.module);
    const prelude = snippet.prelude === '' ? '' : `${snippet.prelude}\n`;
    // `export {}` makes every block a module: top-level await works, and no names are shared.
    writeFileSync(path, `${prelude}${snippet.code}\nexport {};\n`);
    snippetAt.set(path, snippet);
  }

  const program = ts.createProgram({ rootNames: [...snippetAt.keys()], options: compilerOptions() });
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  if (global.length > 0) throw new Error(ts.formatDiagnostics(global, formatHost));
  // Only the snippets are checked; src/ has its own `tsc --noEmit`.
  for (const [path, snippet] of snippetAt) {
    const source = program.getSourceFile(path);
    if (source === undefined) throw new Error(`${where(snippet)} is not in the program`);
    const found = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    diagnostics.set(
      where(snippet),
      found.map((diagnostic) => describeDiagnostic(snippet, diagnostic)),
    );
  }
}, 120_000);

afterAll(() => {
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe('documentation snippets', () => {
  it('finds the ```ts blocks of README.md and docs/*.md', () => {
    expect(checked.length).toBeGreaterThan(40);
    expect(snippets.map((snippet) => snippet.file)).toContain('README.md');
  });

  for (const file of new Set(snippets.map((snippet) => snippet.file))) {
    describe(file, () => {
      for (const snippet of snippets.filter((s) => s.file === file)) {
        const optedOut = !snippet.check && snippet.markupErrors.length === 0;
        it.skipIf(optedOut)(`${where(snippet)}${snippet.check ? '' : ' (no-check)'}`, () => {
          expect(snippet.markupErrors, `${where(snippet)}: markup`).toEqual([]);
          expect(diagnostics.get(where(snippet)), `${where(snippet)} (written to ${relative(root, tmp)})`).toEqual([]);
        });
      }
    });
  }
});

describe('extractSnippets', () => {
  const doc = [
    '```sh', // 1
    'npm test',
    '```',
    '```ts file=a.ts', // 4
    'export const a = 1;',
    '```',
    '````md', // 7
    '```ts',
    'not a block of its own',
    '```',
    '````',
    '<!-- not type-checked: a signature -->', // 12
    '```typescript no-check',
    'f(x: T): U',
    '```',
    '```ts no-check', // 16
    '```',
    '<!-- type-check prelude: quoted verbatim', // 18
    "import { a } from './a.js';",
    '-->',
    '~~~ts nocheck', // 21
    'a;',
    '~~~',
  ].join('\n');
  const found = extractSnippets('docs/x.md', doc);

  it('finds ts and typescript blocks, not those of other languages or inside other blocks', () => {
    expect(found.map((snippet) => snippet.line)).toEqual([4, 13, 16, 21]);
    expect(found[0]).toMatchObject({ code: 'export const a = 1;', module: 'a.ts', check: true, prelude: '', markupErrors: [] });
  });

  it('opts a block out only with a reason on the line before it', () => {
    expect(found[1]).toMatchObject({ check: false, module: 'L13.ts', markupErrors: [] });
    expect(found[2]?.markupErrors).toEqual([expect.stringContaining('needs `<!-- not type-checked: <why> -->`')]);
  });

  it('reads a type-check prelude, and refuses unknown flags', () => {
    expect(found[3]).toMatchObject({ prelude: "import { a } from './a.js';", code: 'a;', check: true });
    expect(found[3]?.markupErrors).toEqual([expect.stringContaining("unknown flag 'nocheck'")]);
  });
});
