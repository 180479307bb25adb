/**
 * Structural checks of the Mermaid we emit, following the lexer rules of Mermaid's own
 * grammars (packages/mermaid/src/diagrams/gantt/parser/gantt.jison and
 * packages/mermaid/src/diagrams/xychart/parser/xychart.jison in mermaid-js/mermaid): a gantt
 * task is `taskTxt` = [^#:\n;]+ followed by `taskData` = ":"[^#\n;]+; `%%` starts a comment;
 * xychart strings are "…" with no escape for `"`, numbers are [+-]?(\d+(\.\d+)?|\.\d+).
 * Mermaid itself is not a dependency of the project, so the tests check the grammar's rules.
 */

const GANTT_KEYWORDS = /^(title|section|dateformat|axisformat|tickinterval|excludes|includes|todaymarker|weekday|click|call|href|acctitle|accdescr|inclusiveenddates|topaxis|gantt)\b/i;
const DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const DURATION = /^\d+(?:\.\d+)?(?:ms|[Mdhmswy])$/;
const TAGS = new Set(['crit', 'done', 'active', 'milestone']);

/** A parsed gantt task. */
export interface GanttTask {
  readonly section: string;
  readonly name: string;
  readonly tags: readonly string[];
  readonly id: string;
  readonly start: string;
  readonly end: string;
}

/** Parses a gantt chart with `dateFormat YYYY-MM-DD HH:mm:ss`, throwing on anything Mermaid would misread. */
export function parseGantt(source: string): { title: string; tasks: GanttTask[] } {
  const lines = source.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  if (lines[0] !== 'gantt') throw new Error(`A gantt chart starts with 'gantt', not '${lines[0] ?? ''}'.`);
  if (source.includes('%%')) throw new Error('Unexpected %% (a Mermaid comment).');
  let title = '';
  let section = '';
  const ids = new Set<string>();
  const tasks: GanttTask[] = [];
  for (const line of lines.slice(1)) {
    if (line.includes(';') || line.includes('#')) throw new Error(`'${line}' holds ; or #, which end a statement or start a comment.`);
    if (line.startsWith('title ')) {
      title = line.slice(6);
      continue;
    }
    if (line.startsWith('dateFormat ')) {
      if (line !== 'dateFormat YYYY-MM-DD HH:mm:ss') throw new Error(`Unexpected ${line}`);
      continue;
    }
    if (line.startsWith('axisFormat ')) {
      if (!/^axisFormat (%[a-zA-Z]|[ :\-/])+$/.test(line)) throw new Error(`Bad ${line}`);
      continue;
    }
    if (line.startsWith('section ')) {
      section = line.slice(8);
      if (section.includes(':')) throw new Error(`Section '${section}' holds a colon.`);
      continue;
    }
    const match = /^([^#:\n;]+):([^#\n;]+)$/.exec(line);
    if (match === null) throw new Error(`'${line}' is not a task (name : data).`);
    const name = match[1]!.trim();
    if (GANTT_KEYWORDS.test(name) || /^\d{4}-\d{2}-\d{2}/.test(name)) throw new Error(`Task name '${name}' starts with a keyword.`);
    if (section === '') throw new Error(`Task '${name}' outside a section.`);
    const parts = match[2]!.split(',').map((p) => p.trim());
    const tags = parts.filter((p) => TAGS.has(p));
    const rest = parts.filter((p) => !TAGS.has(p));
    if (rest.length !== 3) throw new Error(`Task '${name}' should have id, start, end; got ${JSON.stringify(rest)}.`);
    const [id, start, end] = rest as [string, string, string];
    if (!/^[A-Za-z][\w-]*$/.test(id) || ids.has(id)) throw new Error(`Bad or duplicate id '${id}'.`);
    ids.add(id);
    if (!DATE.test(start)) throw new Error(`Start '${start}' does not match the dateFormat.`);
    if (!DATE.test(end) && !DURATION.test(end)) throw new Error(`End '${end}' is neither a date nor a duration.`);
    if (DATE.test(end) && end < start) throw new Error(`Task '${name}' ends before it starts.`);
    tasks.push({ section, name, tags, id, start, end });
  }
  return { title, tasks };
}

/** Parses our `xychart-beta` bar chart: title, categorical x-axis, ranged y-axis, one bar series. */
export function parseXyChart(source: string): { title: string; categories: string[]; bars: number[]; yMax: number } {
  const lines = source.split('\n').map((line) => line.trim());
  if (lines[0] !== 'xychart-beta') throw new Error('An xychart starts with xychart-beta.');
  const title = /^title "([^"]*)"$/.exec(lines[1] ?? '');
  const xAxis = /^x-axis \[(.*)\]$/.exec(lines[2] ?? '');
  const yAxis = /^y-axis "[^"]*" ([+-]?(?:\d+(?:\.\d+)?|\.\d+)) --> ([+-]?(?:\d+(?:\.\d+)?|\.\d+))$/.exec(lines[3] ?? '');
  const bar = /^bar \[(.*)\]$/.exec(lines[4] ?? '');
  if (title === null || xAxis === null || yAxis === null || bar === null || lines.length !== 5) throw new Error(`Malformed xychart:\n${source}`);
  const categories = [...xAxis[1]!.matchAll(/"([^"]*)"\s*(,|$)/g)].map((m) => m[1]!);
  const bars = bar[1]!.split(',').map((n) => {
    const text = n.trim();
    if (!/^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/.test(text)) throw new Error(`'${text}' is not a number xychart accepts.`);
    return Number(text);
  });
  if (categories.length !== bars.length) throw new Error('As many bars as categories are expected.');
  return { title: title[1]!, categories, bars, yMax: Number(yAxis[2]) };
}

/** The body of every ```mermaid block in a Markdown document. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
}
