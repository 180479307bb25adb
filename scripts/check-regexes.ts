/**
 * Checks every regular expression in src/ for ReDoS (super-linear backtracking) with recheck's
 * pure-JavaScript backend (no native binary, no JVM, so it runs wherever Node 20 does):
 *
 *   npx tsx scripts/check-regexes.ts            # `npm run check:regex`, part of `npm run check`
 *   npx tsx scripts/check-regexes.ts --list     # also prints every pattern with its verdict
 *
 * The patterns are collected with the TypeScript parser: every regular expression literal, and
 * every `new RegExp(…)` / `RegExp(…)` call. A call whose pattern (or flags) is not a string
 * literal cannot be checked statically and fails the check too, so each one gets reviewed
 * (rewrite it as a literal, or escape the dynamic part and add it to DYNAMIC_ALLOWED below).
 *
 * Exits 1 listing file:line, the pattern and recheck's attack string for each vulnerable (or
 * uncheckable) one; test/sources/redos.test.ts times the parsers on such inputs independently.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSync, type Diagnostics } from 'recheck';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = join(root, 'src');

/**
 * Reviewed `new RegExp(dynamic)` calls, as `file` and the call's line of code (trimmed), so an
 * edit elsewhere in the file keeps the entry: the dynamic part is escaped, or (routing rules'
 * `matches` patterns) proven free of catastrophic backtracking by `redos-detector` in
 * `defineRoutes` before it is compiled, and only ever run on a bounded prefix of a value.
 */
const DYNAMIC_ALLOWED: ReadonlySet<string> = new Set<string>([
  // defineRoutes compiles a user's pattern only to see that it is valid, before the ReDoS proof.
  'src/features/routing/defineRoutes.ts  new RegExp(pattern, flags);',
  // The evaluator compiles patterns defineRoutes accepted.
  "src/features/routing/evaluate.ts  regex = new RegExp(condition.matches, condition.flags ?? '');",
]);

/** The trimmed line `line` (1-based) of a file under the repository root. */
function codeAt(file: string, line: number): string {
  return (readFileSync(join(root, file), 'utf8').split('\n')[line - 1] ?? '').trim();
}

/**
 * Known vulnerable patterns whose fix is pending in a file being reworked: reported as warnings,
 * not failures. Matched by file prefix and pattern (not line), so moving the code keeps the entry;
 * delete the entry with the fix.
 */
const PENDING: readonly { readonly file: string; readonly regex: string; readonly why: string }[] = [];

export interface FoundRegex {
  /** Relative to the repository root, e.g. `src/sources/parseDatadog.ts`. */
  readonly file: string;
  readonly line: number;
  /** The pattern, or `undefined` for a `RegExp(…)` call whose arguments are not literals. */
  readonly source: string | undefined;
  readonly flags: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.[cm]?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function literalText(node: ts.Expression | undefined): string | undefined {
  if (node === undefined) return '';
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined;
}

/** Every regular expression literal and `RegExp(…)` call in one file. */
export function regexesIn(file: string, text: string): FoundRegex[] {
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: FoundRegex[] = [];
  const lineOf = (node: ts.Node): number => sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = node.getText(sourceFile);
      const end = literal.lastIndexOf('/');
      found.push({ file, line: lineOf(node), source: literal.slice(1, end), flags: literal.slice(end + 1) });
    } else if (
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'RegExp'
    ) {
      const [pattern, flags] = node.arguments ?? [];
      const source = literalText(pattern);
      const flagText = literalText(flags);
      found.push({ file, line: lineOf(node), source: flagText === undefined ? undefined : source, flags: flagText ?? '' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/** Every regular expression in src/. */
export function collectRegexes(): FoundRegex[] {
  return sourceFiles(srcDir).flatMap((path) => regexesIn(relative(root, path).split('\\').join('/'), readFileSync(path, 'utf8')));
}

function main(): void {
  // recheck's JavaScript implementation, in this thread: no native binary, no JVM, no worker.
  // (recheck chooses its implementation from the environment, not from its parameters.)
  process.env.RECHECK_SYNC_BACKEND = 'pure';
  const list = process.argv.includes('--list');
  const started = performance.now();
  const regexes = collectRegexes();
  const problems: string[] = [];
  const warnings: string[] = [];
  // The same pattern often appears in several files (identifier rules): check it once.
  const verdicts = new Map<string, Diagnostics>();
  for (const regex of regexes) {
    const where = `${regex.file}:${regex.line}`;
    if (regex.source === undefined) {
      if (!DYNAMIC_ALLOWED.has(`${regex.file}  ${codeAt(regex.file, regex.line)}`)) problems.push(`${where}  RegExp(…) with a non-literal pattern: cannot be checked`);
      continue;
    }
    const key = `/${regex.source}/${regex.flags}`;
    // A fixed seed keeps the fuzzer's verdicts the same from run to run.
    const result = verdicts.get(key) ?? checkSync(regex.source, regex.flags, { randomSeed: 42, timeout: 20_000 });
    verdicts.set(key, result);
    if (list) console.log(`${result.status.padEnd(10)} ${where}  ${key}`);
    if (result.status === 'vulnerable') {
      const pending = PENDING.find((entry) => regex.file.startsWith(entry.file) && entry.regex === key);
      const report = `${where}  ${key}\n    ${result.complexity.summary}; attack: ${result.attack.pattern}`;
      if (pending === undefined) problems.push(report);
      else warnings.push(`${report}\n    pending: ${pending.why}`);
    } else if (result.status === 'unknown') {
      problems.push(`${where}  ${key}\n    recheck could not decide: ${result.error.kind}`);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (warnings.length > 0) console.warn(`check:regex: ${warnings.length} known vulnerable pattern(s), fix pending:\n${warnings.join('\n')}\n`);
  if (problems.length > 0) {
    console.error(`check:regex: ${problems.length} of ${regexes.length} regular expressions in src/ may backtrack super-linearly:\n`);
    console.error(problems.join('\n'));
    process.exitCode = 1;
  } else {
    console.log(`check:regex: ${regexes.length - warnings.length} of ${regexes.length} regular expressions in src/ are linear-time (recheck ${seconds} s).`);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
