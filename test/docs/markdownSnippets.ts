/**
 * Finds the TypeScript code blocks of a Markdown document, for test/docs/snippets.test.ts.
 *
 * A block is a fenced code block (``` or ~~~, CommonMark rules) whose info string starts with
 * `ts` or `typescript`. The words after the language are flags:
 * - `file=NAME.ts` names the module the block is written to, so a later block of the same
 *   document can import it as `./NAME.js` (the others are named `L<line>.ts`);
 * - `no-check` opts the block out; it needs `<!-- not type-checked: <why> -->` on the line right
 *   before its fence.
 * An HTML comment that ends on the line right before the fence and starts with
 * `<!-- type-check prelude: <why>` gives the block hidden lines (the comment's other lines),
 * placed before its code: for a block that quotes a file verbatim and so cannot gain lines.
 */

export interface Snippet {
  /** The document, relative to the repository root (`docs/foo.md`). */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The block's code, without the fences. */
  readonly code: string;
  /** Hidden lines from a `<!-- type-check prelude: … -->` comment ('' without one). */
  readonly prelude: string;
  /** False for a `no-check` block. */
  readonly check: boolean;
  /** The module's file name: `NAME.ts` from `file=NAME.ts`, else `L<line>.ts`. */
  readonly module: string;
  /** What is wrong with the block's markup (an unknown flag, an opt-out without a reason, …). */
  readonly markupErrors: readonly string[];
}

const TS_LANGUAGES = new Set(['ts', 'typescript']);
const NO_CHECK = 'no-check';
const FILE_FLAG = /^file=([A-Za-z0-9_-]+\.ts)$/;
const OPENING_FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const PRELUDE_START = /^<!-- type-check prelude: \S/;
const OPT_OUT_REASON = /^<!-- not type-checked: \S.*-->$/;

/** Whether `line` closes a block opened with `fence` (same character, at least as long, nothing after). */
function closes(line: string, fence: string): boolean {
  const closing = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line)?.[1];
  return closing?.startsWith(fence.charAt(0)) === true && closing.length >= fence.length;
}

/** The hidden prelude of the HTML comment that ends on the line before the fence at `fence` (0-based). */
function preludeBefore(lines: readonly string[], fence: number): string {
  if (lines[fence - 1]?.trim() !== '-->') return '';
  for (let start = fence - 2; start >= 0; start--) {
    const text = lines[start] ?? '';
    if (PRELUDE_START.test(text)) return lines.slice(start + 1, fence - 1).join('\n');
    if (text.includes('-->') || text.includes('<!--')) return '';
  }
  return '';
}

/** The TypeScript blocks of the Markdown `text` of `file`, in document order. */
export function extractSnippets(file: string, text: string): Snippet[] {
  const lines = text.split(/\r?\n/);
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPENING_FENCE.exec(lines[i] ?? '');
    if (open === null) continue;
    const [, fence = '```', info = ''] = open;
    // A backtick fence's info string may not contain backticks; such a line is not a fence.
    if (fence.startsWith('`') && info.includes('`')) continue;
    let end = i + 1;
    while (end < lines.length && !closes(lines[end] ?? '', fence)) end++;
    const [language = '', ...flags] = info.trim().split(/\s+/);
    if (TS_LANGUAGES.has(language.toLowerCase())) {
      const markupErrors = flags
        .filter((flag) => flag !== NO_CHECK && !FILE_FLAG.test(flag))
        .map((flag) => `unknown flag '${flag}' (known: ${NO_CHECK}, file=NAME.ts)`);
      const check = !flags.includes(NO_CHECK);
      if (!check && !OPT_OUT_REASON.test(lines[i - 1]?.trim() ?? '')) {
        markupErrors.push('a no-check block needs `<!-- not type-checked: <why> -->` on the line right before its fence');
      }
      if (end === lines.length) markupErrors.push('the block is never closed');
      const named = flags.map((flag) => FILE_FLAG.exec(flag)?.[1]).find((name) => name !== undefined);
      if (named !== undefined && snippets.some((snippet) => snippet.module === named)) markupErrors.push(`a second block has file=${named}`);
      snippets.push({
        file,
        line: i + 1,
        code: lines.slice(i + 1, end).join('\n'),
        prelude: preludeBefore(lines, i),
        check,
        module: named ?? `L${String(i + 1)}.ts`,
        markupErrors,
      });
    }
    i = end;
  }
  return snippets;
}
