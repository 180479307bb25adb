/**
 * Renders an XState v5 machine definition as a Mermaid `stateDiagram-v2`, so the diagram in the
 * docs is generated from the machine the engine runs and cannot drift from it.
 */

/** A guard as XState stores it: a name, `{ type }`, or a function (`not(…)`, `and(…)`, inline). */
type GuardLike = string | { readonly type: string } | ((...args: never[]) => unknown);

/** The parts of an XState transition definition that {@link toMermaid} reads. */
export interface MermaidTransitionLike {
  readonly eventType: string;
  readonly target?: readonly MermaidStateNodeLike[] | undefined;
  readonly guard?: unknown;
  readonly reenter?: boolean;
}

/** The parts of an XState state node that {@link toMermaid} reads. */
export interface MermaidStateNodeLike {
  readonly key: string;
  readonly id: string;
  readonly type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  readonly path: readonly string[];
  readonly states: Readonly<Record<string, MermaidStateNodeLike>>;
  readonly initial?: { readonly target: readonly MermaidStateNodeLike[] } | undefined;
  readonly transitions: ReadonlyMap<string, readonly MermaidTransitionLike[]>;
  readonly always?: readonly MermaidTransitionLike[] | undefined;
}

/** A machine as {@link toMermaid} reads it: any XState v5 machine (`createMachine`, `setup().createMachine`). */
export interface MermaidMachineLike {
  readonly root: MermaidStateNodeLike;
}

/** Options of {@link toMermaid}. */
export interface ToMermaidOptions {
  /** The layout direction. Default: Mermaid's (top to bottom). */
  readonly direction?: 'TB' | 'BT' | 'LR' | 'RL';
}

const INDENT = '  ';
const SIMPLE_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Words Mermaid's state grammar reads as keywords at the start of a line. */
const RESERVED = new Set(['state', 'note', 'class', 'classdef', 'direction', 'default', 'scale', 'hide', 'end', 'acctitle', 'accdescr', 'click', 'style']);

function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    // XState's higher-order guards are functions named `not`/`and`/`or` that list their operands.
    const operands = (guard as { guards?: readonly GuardLike[] }).guards;
    const name = guard.name === '' ? 'inline' : guard.name;
    return Array.isArray(operands) ? `${name}(${operands.map((g) => guardName(g) ?? '?').join(', ')})` : name;
  }
  if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type;
  return 'guard';
}

/** The label of an event type: `after 5000` for delayed transitions, `always` for eventless ones. */
function eventLabel(eventType: string): string {
  if (eventType === '') return 'always';
  const delayed = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (delayed?.[1] !== undefined) return `after ${delayed[1]}`;
  return eventType;
}

/** Mermaid text must not break the line or the `:` `;` `{ }` `"` syntax it sits in. */
function safeText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[{}]/g, '').replace(/"/g, "'").replace(/;/g, ',').replace(/:/g, '.');
}

function label(transition: MermaidTransitionLike): string {
  const guard = guardName(transition.guard);
  return safeText(guard === undefined ? eventLabel(transition.eventType) : `${eventLabel(transition.eventType)} [${guard}]`);
}

function children(node: MermaidStateNodeLike): MermaidStateNodeLike[] {
  return Object.values(node.states);
}

function allTransitions(node: MermaidStateNodeLike): MermaidTransitionLike[] {
  return [...[...node.transitions.values()].flat(), ...(node.always ?? [])];
}

/**
 * Renders an XState v5 machine as a Mermaid `stateDiagram-v2`, walking the machine definition
 * itself (`machine.root` and its nested state nodes).
 *
 * @remarks
 * - Compound states become composite states (`state open { … }`) with their initial state
 *   (`[*] --> triage`); parallel states separate their regions with `--`; final states lead
 *   to `[*]`.
 * - A transition is an arrow labelled with its event and, when guarded, `[guard]`: `resolved
 *   --> closed : CLOSE [canClose]`. Delayed transitions read `after <delay>`, eventless ones
 *   `always`.
 * - Transitions without a target (they run actions and change no state, like `ADD_NOTE`) are
 *   listed inside their state, as UML lists internal transitions: as description lines of a
 *   simple state, and under the title of a composite state.
 * - Arrows between states of the same composite are drawn inside it; all others at the top
 *   level, after every state is declared, which is how Mermaid keeps each state in its own
 *   composite.
 *
 * @example
 * ```ts
 * import { incidentMachine, toMermaid } from 'incidentkit';
 *
 * const diagram = toMermaid(incidentMachine, { direction: 'LR' });
 * console.log(diagram); // "stateDiagram-v2\n  direction LR\n  [*] --> open\n…": paste it into a mermaid code block
 * ```
 */
export function toMermaid(machine: MermaidMachineLike, options: ToMermaidOptions = {}): string {
  const root = machine.root;

  // Mermaid ids are global: use the key when it is unique and simple, else a path-derived id.
  const nodes: MermaidStateNodeLike[] = [];
  const collect = (node: MermaidStateNodeLike): void => {
    for (const child of children(node)) {
      nodes.push(child);
      collect(child);
    }
  };
  // Mermaid has no top-level regions: a parallel root is drawn as one composite holding them.
  if (root.type === 'parallel') nodes.push(root);
  collect(root);
  const keyCount = new Map<string, number>();
  for (const node of nodes) keyCount.set(node.key, (keyCount.get(node.key) ?? 0) + 1);
  const ids = new Map<MermaidStateNodeLike, string>();
  const taken = new Set<string>();
  for (const node of nodes) {
    const plain = SIMPLE_ID.test(node.key) && keyCount.get(node.key) === 1 && !RESERVED.has(node.key.toLowerCase());
    let id = plain ? node.key : `s_${(node.path.length === 0 ? [node.key] : node.path).join('_').replace(/[^A-Za-z0-9_]/g, '_')}`;
    while (taken.has(id)) id = `${id}_`;
    taken.add(id);
    ids.set(node, id);
  }
  const idOf = (node: MermaidStateNodeLike): string => ids.get(node) ?? '[*]';
  const needsLabel = (node: MermaidStateNodeLike): boolean => idOf(node) !== node.key;

  const lines: string[] = ['stateDiagram-v2'];
  if (options.direction !== undefined) lines.push(`${INDENT}direction ${options.direction}`);
  const outer: string[] = [];

  const arrow = (source: MermaidStateNodeLike, target: MermaidStateNodeLike, text: string): string =>
    `${idOf(source)} --> ${idOf(target)} : ${text}`;

  /** Emits `node`'s children and the arrows among them, at `depth`. */
  const emitChildren = (node: MermaidStateNodeLike, depth: number): void => {
    const pad = INDENT.repeat(depth);
    const kids = children(node);
    if (node.type === 'compound') {
      for (const target of node.initial?.target ?? []) lines.push(`${pad}[*] --> ${idOf(target)}`);
    }
    kids.forEach((child, index) => {
      if (node.type === 'parallel' && index > 0) lines.push(`${pad}--`);
      emitState(child, depth);
    });
    for (const child of kids) {
      for (const transition of allTransitions(child)) {
        for (const target of transition.target ?? []) {
          const line = arrow(child, target, label(transition));
          // Arrows between siblings stay inside their composite; any other arrow goes to the top level.
          if (target !== child && kids.includes(target)) lines.push(`${pad}${line}`);
          else outer.push(`${INDENT}${line}`);
        }
      }
      if (child.type === 'final') lines.push(`${pad}${idOf(child)} --> [*]`);
    }
  };

  const emitState = (node: MermaidStateNodeLike, depth: number): void => {
    const pad = INDENT.repeat(depth);
    const id = idOf(node);
    const internal = allTransitions(node)
      .filter((t) => t.target === undefined || t.target.length === 0)
      .map(label);
    const name = node.type === 'history' ? 'H' : safeText(node.key);
    if (node.type === 'compound' || node.type === 'parallel') {
      const title = [name, ...internal].join('<br/>');
      lines.push(internal.length > 0 || needsLabel(node) ? `${pad}state "${title}" as ${id} {` : `${pad}state ${id} {`);
      emitChildren(node, depth + 1);
      lines.push(`${pad}}`);
      return;
    }
    // A bare id declares the state here, inside its composite (`state x` alone would not).
    lines.push(needsLabel(node) || node.type === 'history' ? `${pad}state "${name}" as ${id}` : `${pad}${id}`);
    for (const text of internal) lines.push(`${pad}${id} : ${text}`);
  };

  if (root.type === 'parallel') {
    lines.push(`${INDENT}[*] --> ${idOf(root)}`);
    emitState(root, 1);
  } else {
    emitChildren(root, 1);
  }
  lines.push(...outer);
  // Transitions declared on the root itself apply in every state: listed in a note.
  const rootNotes = (root.type === 'parallel' ? [] : allTransitions(root)).map((t) => {
    const targets = (t.target ?? []).map(idOf);
    return targets.length === 0 ? label(t) : `${label(t)} to ${targets.join(', ')}`;
  });
  const first = children(root)[0];
  if (rootNotes.length > 0 && first !== undefined) {
    lines.push(`${INDENT}note right of ${idOf(first)}`, ...rootNotes.map((n) => `${INDENT}${INDENT}in any state: ${n}`), `${INDENT}end note`);
  }
  return `${lines.join('\n')}\n`;
}
